import Foundation
import Testing
import Tusk
import TuskTestSupport

/// Values that do not fit their column, pairs that cannot convert, and the column-type cache.
@Suite struct ColumnTypeErrorTests {
    struct Narrow: MatrixValues {
        var small: Int?, medium: Int64?, real: Double?
        static var null: Self { Self(small: nil, medium: nil, real: nil) }
    }

    static let narrowColumns = "small int2, medium int4, real float4"

    /// The second of three rows does not fit: 40000 into int2, Int64.max into int4, 1e300 into float4.
    static let outOfRange: [(rows: [Narrow], column: String, value: String)] = [
        ([Narrow(small: 1, medium: 1, real: 1), Narrow(small: 40_000, medium: 1, real: 1), Narrow(small: 2, medium: 2, real: 2)], "small", "40000"),
        ([Narrow(small: 1, medium: 1, real: 1), Narrow(small: 1, medium: .max, real: 1), Narrow(small: 2, medium: 2, real: 2)], "medium",
         "\(Int64.max)"),
        ([Narrow(small: 1, medium: 1, real: 1), Narrow(small: 1, medium: 1, real: 1e300), Narrow(small: 2, medium: 2, real: 2)], "real", "1e+300"),
    ]

    @Test func outOfRangeValuesAreRefusedNamingTheColumnThroughEveryPathAndLeaveNoRow() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { try await $0.execute(SQL(unsafeRaw: "CREATE TABLE bulk (id int8 PRIMARY KEY, \(Self.narrowColumns))")) }
            for (index, bad) in Self.outOfRange.enumerated() {
                for path in BulkPath.allCases {
                    let firstID = Int64(index * 10_000 + path.rawValue * 1_000)
                    let thrown = await #expect(throws: (any Error).self, "\(path), \(bad.column)") {
                        try await ConversionMatrix.write(bad.rows, firstID: firstID, through: path, pool: pool)
                    }
                    let error = ConversionMatrix.encodingError(thrown)
                    #expect(error?.code == .outOfRange, "\(path): \(String(describing: thrown))")
                    #expect(error?.column == bad.column, "\(path)")
                    #expect(error?.message.contains(bad.value) == true, "\(path): \(String(describing: error))")
                }
            }
            // The update paths' placeholders (NULLs) are all that is there: none of the values.
            #expect(try await TestDatabase.count("bulk", in: schema, where: "small IS NOT NULL OR medium IS NOT NULL OR real IS NOT NULL") == 0)
        }
    }

    @Test func aRangeErrorMidCopyAbortsTheCopyAndFailsTheTransaction() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { try await $0.execute(SQL(unsafeRaw: "CREATE TABLE bulk (id int8 PRIMARY KEY, \(Self.narrowColumns))")) }
            typealias Row = MatrixRow<BulkTable, Narrow>
            let rows = (1...20_000).map { Row(id: Int64($0), values: Narrow(small: $0 == 19_000 ? 40_000 : 1, medium: 1, real: 1)) }
            let progress = Locked(0)
            let session = try await pool.withSession { session in
                let error = await #expect(throws: PostgresEncodingError.self) {
                    try await session.repository(Row.self).addMany(rows, chunkBytes: 16 * 1024) { sent in progress.withLock { $0 = sent } }
                }
                #expect(error?.code == .outOfRange && error?.column == "small" && error?.columnType == "smallint")
                // Earlier chunks reached the server; the aborted COPY failed the transaction.
                let later = await #expect(throws: SessionError.self) { try await session.execute("SELECT 1") }
                #expect(later?.code == .transactionFailed)
                await session.rollback()
                return true
            }
            #expect(session)
            #expect(progress.value > 1_000, "chunks were sent before the bad value")
            #expect(try await TestDatabase.count("bulk", in: schema) == 0)
        }
    }

    struct Matching: MatrixValues {
        var n: Int32?, due: Date?
        static var null: Self { Self(n: nil, due: nil) }
    }

    struct UUIDIntoInteger: MatrixValues {
        var n: UUID?
        static var null: Self { Self(n: nil) }
    }

    struct BoolIntoDate: MatrixValues {
        var due: Bool?
        static var null: Self { Self(due: nil) }
    }

    /// Writes `rows` through `path` in `session`, without the placeholders the update paths need
    /// to change anything: the refusal comes first.
    func attempt<V: MatrixValues>(_ values: [V], through path: BulkPath, in session: Session) async throws {
        typealias Row = MatrixRow<BulkTable, V>
        let rows = values.enumerated().map { Row(id: 100 + Int64($0.offset), values: $0.element) }
        let repository = session.repository(Row.self)
        switch path {
        case .copySequence: try await repository.addMany(rows)
        case .copyAsyncSequence: try await repository.addMany(AsyncRows(rows: rows))
        case .addManyReturning: _ = try await repository.addMany(rows, returning: \.id)
        case .upsertMany: try await repository.upsertMany(rows, matching: [\.id])
        case .upsert: try await repository.upsert(rows[0], matching: [\.id])
        case .updateMany: try await repository.updateMany(rows)
        case .flushInserts:
            for row in rows { session.add(row) }
            try await session.flush()
        case .flushUpdates:
            for row in rows { session.update(row) }
            try await session.flush()
        }
    }

    func expectRefusal<V: MatrixValues>(_ values: [V], column: String, valueType: PostgresDataType, columnType: String,
                                        pool: ConnectionPool) async throws {
        for path in BulkPath.allCases {
            try await pool.withSession { session in
                // The table's types are cached, and the transaction has begun: a refusal costs nothing.
                try await session.repository(MatrixRow<BulkTable, Matching>.self)
                    .addMany([MatrixRow(id: Int64(path.rawValue), values: Matching(n: 1, due: Date()))])
                let before = await session.statistics
                let thrown = await #expect(throws: (any Error).self, "\(path)") { try await attempt(values, through: path, in: session) }
                let after = await session.statistics
                let error = ConversionMatrix.encodingError(thrown)
                #expect(error?.code == .typeMismatch, "\(path): \(String(describing: thrown))")
                #expect(error?.column == column, "\(path)")
                #expect(error?.valueType == valueType, "\(path)")
                #expect(error?.columnType == columnType, "\(path)")
                #expect(error?.message.contains(columnType) == true, "\(path)")
                // One exchange: the catalog read again (the cached types might predate an ALTER
                // TABLE); no statement carrying the values, which would cost one more at least.
                #expect(after.roundTrips - before.roundTrips == 1, "\(path): nothing but the catalog query was sent")
                #expect(after.statements - before.statements == 1, "\(path)")
                await session.rollback()
            }
        }
    }

    @Test func incompatiblePairsAreRefusedBeforeAnythingIsSentNamingTheColumnAndBothTypes() async throws {
        try await TestDatabase.withPool(max: 1) { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE bulk (id int8 PRIMARY KEY, n int4, due date)") }
            try await expectRefusal([UUIDIntoInteger(n: UUID()), UUIDIntoInteger(n: UUID())], column: "n", valueType: .uuid,
                                    columnType: "integer", pool: pool)
            try await expectRefusal([BoolIntoDate(due: true), BoolIntoDate(due: false)], column: "due", valueType: .bool,
                                    columnType: "date", pool: pool)
            #expect(try await TestDatabase.count("bulk", in: schema) == 0)
        }
    }

    struct Stamp: MatrixValues {
        var at: Date?
        static var null: Self { Self(at: nil) }
    }

    @Test func copyOfADateIntoTimestampInANonUTCSessionIsRefusedNamingTheZone() async throws {
        try await TestDatabase.withPool(settings: ["TimeZone": "Europe/Berlin"]) { pool, schema in
            try await pool.withConnection { try await $0.executeScript("CREATE TABLE bulk (id int8 PRIMARY KEY, at timestamp)") }
            let rows = [MatrixRow<BulkTable, Stamp>(id: 1, values: Stamp(at: Date()))]
            let error = await #expect(throws: PostgresEncodingError.self) {
                try await pool.withSession { try await $0.repository(MatrixRow<BulkTable, Stamp>.self).addMany(rows) }
            }
            #expect(error?.code == .typeMismatch)
            #expect(error?.column == "at")
            #expect(error?.message.contains("Europe/Berlin") == true)
            #expect(try await TestDatabase.count("bulk", in: schema) == 0)
            // The server's own cast converts on the unnest paths.
            let ids = try await pool.withSession { try await $0.repository(MatrixRow<BulkTable, Stamp>.self).addMany(rows, returning: \.id) }
            #expect(ids == [1])
        }
    }

    struct Value: MatrixValues {
        var v: Int?
        static var null: Self { Self(v: nil) }
    }

    typealias ValueRow = MatrixRow<BulkTable, Value>

    func stored(_ pool: ConnectionPool) async throws -> [String] {
        try await pool.withConnection { try await $0.query("SELECT v::text FROM bulk ORDER BY id").map { try $0.decode(String.self, at: 0) } }
    }

    @Test func columnTypesAreReadOncePerConnectionAndTable() async throws {
        try await TestDatabase.withPool(max: 1) { pool, _ in
            try await pool.withConnection { try await $0.execute("CREATE TABLE bulk (id int8 PRIMARY KEY, v int4)") }
            var statements: [Int] = []
            for batch in 0..<3 {
                statements.append(try await pool.withSession { session in
                    let before = await session.statistics.statements
                    try await session.repository(ValueRow.self).addMany([ValueRow(id: Int64(batch), values: Value(v: batch))])
                    return await session.statistics.statements - before
                })
            }
            #expect(statements[0] == statements[1] + 1, "the first call also read the catalog: \(statements)")
            #expect(statements[1] == statements[2])
        }
    }

    @Test func afterAlterColumnTypeOneCopyFailsTypedAndTheNextReadsTheNewType() async throws {
        try await TestDatabase.withPool(max: 1) { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE bulk (id int8 PRIMARY KEY, v int4)") }
            try await pool.withSession { try await $0.repository(ValueRow.self).addMany([ValueRow(id: 1, values: Value(v: 1))]) }
            let backend = try await pool.withConnection { $0.backendPID }
            let admin = try await TestDatabase.connect(schema: schema)
            try await admin.execute("ALTER TABLE bulk ALTER COLUMN v TYPE int8")
            await admin.close()
            // The connection still believes int4: the 4-byte field is too short for int8. The
            // server says so, the connection survives, and forgets the table's types.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { try await $0.repository(ValueRow.self).addMany([ValueRow(id: 2, values: Value(v: 2))]) }
            }
            #expect(error?.sqlState == .protocolViolation || error?.sqlState == .invalidBinaryRepresentation,
                    "\(String(describing: error))")
            #expect(try await pool.withConnection { $0.backendPID } == backend, "not a lost connection")
            try await pool.withSession {
                try await $0.repository(ValueRow.self).addMany([ValueRow(id: 3, values: Value(v: 3)), ValueRow(id: 4, values: Value(v: 5_000_000_000))])
            }
            #expect(try await stored(pool) == ["1", "3", "5000000000"])
        }
    }

    @Test func afterAColumnWasWidenedNoPathRefusesFromTheOldType() async throws {
        for path in [BulkPath.copySequence, .addManyReturning, .upsertMany, .upsert, .flushInserts] {
            // Unprepared statements: a prepared `RETURNING *` fails once after ALTER TABLE (0A000),
            // which is the statement cache's business, not the column types'.
            try await TestDatabase.withPool(max: 1, preparedStatementCacheSize: 0) { pool, schema in
                try await pool.withConnection { try await $0.execute("CREATE TABLE bulk (id int8 PRIMARY KEY, v int2)") }
                try await ConversionMatrix.write([Value(v: 1), Value(v: 2)], firstID: 1, through: path, pool: pool)
                let admin = try await TestDatabase.connect(schema: schema)
                try await admin.execute("ALTER TABLE bulk ALTER COLUMN v TYPE int4")
                await admin.close()
                // The cached int2 refuses 40000 client-side; the types are read again, and it fits.
                try await ConversionMatrix.write([Value(v: 40_000), Value(v: 40_001)], firstID: 10, through: path, pool: pool)
                #expect(try await stored(pool) == ["1", "2", "40000", "40001"], "\(path)")
            }
        }
    }

    @Test func unnestPathsFollowAnAlteredColumnAtOnce() async throws {
        try await TestDatabase.withPool(max: 1, preparedStatementCacheSize: 0) { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE bulk (id int8 PRIMARY KEY, v int4)") }
            try await ConversionMatrix.write([Value(v: 1), Value(v: 2)], firstID: 1, through: .upsertMany, pool: pool)
            let admin = try await TestDatabase.connect(schema: schema)
            try await admin.execute("ALTER TABLE bulk ALTER COLUMN v TYPE numeric(10,1)")
            await admin.close()
            // int4 arrays still go into the numeric column through the server's assignment cast.
            try await ConversionMatrix.write([Value(v: 3), Value(v: 4)], firstID: 3, through: .upsertMany, pool: pool)
            #expect(try await stored(pool) == ["1.0", "2.0", "3.0", "4.0"])
        }
    }
}
