import Foundation
import Testing
import Tusk

/// Which of a case's two tables a row type writes to.
protocol MatrixTable: Sendable {
    static var name: String { get }
}

/// The table the bulk path under test writes.
enum BulkTable: MatrixTable { static let name = "bulk" }
/// The twin table filled one row at a time with `add()` (bound parameters, server casts).
enum ReferenceTable: MatrixTable { static let name = "reference" }

/// The non-key columns of one conversion case; every property optional, so a row of NULLs can
/// stand in for a row that an update path then overwrites.
protocol MatrixValues: Codable, Sendable {
    static var null: Self { get }
}

/// A row of a conversion case: the key, then the values' properties as columns of their own.
struct MatrixRow<Table: MatrixTable, Values: MatrixValues>: Model {
    static var tableName: String { Table.name }
    static var serverGenerated: Set<String> { [] }
    var id: Int64
    var values: Values

    init(id: Int64, values: Values) {
        self.id = id
        self.values = values
    }

    private enum CodingKeys: String, CodingKey { case id }

    init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).decode(Int64.self, forKey: .id)
        // Rows read back (RETURNING *) hold the columns' types, which the Swift types need not
        // decode (numeric as Int): the cases compare the server's text instead.
        values = (try? Values(from: decoder)) ?? .null
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try values.encode(to: encoder)
    }
}

/// Text sent with its type left for the server to infer (what a String-backed enum sends): the
/// way `add()` can fill `json`, `jsonb` and enum columns from text, which a `String` (bound as
/// `text`) cannot.
struct Inferred: RawRepresentable, Codable, Sendable, Hashable {
    var rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }
    init?(_ text: String?) {
        guard let text else { return nil }
        rawValue = text
    }
}

/// Rows handed out one by one, like a file or a feed.
struct AsyncRows<Element: Sendable>: AsyncSequence {
    let rows: [Element]
    func makeAsyncIterator() -> Iterator { Iterator(rows: rows) }
    struct Iterator: AsyncIteratorProtocol {
        let rows: [Element]
        var index = 0
        mutating func next() async throws -> Element? {
            guard index < rows.count else { return nil }
            defer { index += 1 }
            return rows[index]
        }
    }
}

/// The bulk paths, each of which must store what `add()` stores.
enum BulkPath: Int, CaseIterable, Sendable {
    case copySequence = 1, copyAsyncSequence, addManyReturning, upsertMany, upsert, updateMany, flushInserts, flushUpdates

    /// The paths that send one array per column through `unnest`.
    static let unnest: [BulkPath] = [.addManyReturning, .upsertMany, .upsert, .updateMany]
    /// The paths a session flush takes.
    static let flush: [BulkPath] = [.flushInserts, .flushUpdates]
}

enum ConversionMatrix {
    /// Writes `values` into `bulk` through `path`, keys from `firstID` on. The update paths
    /// first insert rows of NULLs with `add()`, typed as `Placeholder`'s (a NULL bound as `text`
    /// does not go into a `json` column).
    static func write<V: MatrixValues, Placeholder: MatrixValues>(_ values: [V], firstID: Int64, through path: BulkPath,
                                                                  placeholders _: Placeholder.Type, pool: ConnectionPool) async throws {
        typealias Row = MatrixRow<BulkTable, V>
        let rows = values.enumerated().map { Row(id: firstID + Int64($0.offset), values: $0.element) }
        let placeholders = rows.map { MatrixRow<BulkTable, Placeholder>(id: $0.id, values: .null) }
        func preinsert(_ rows: [MatrixRow<BulkTable, Placeholder>]) async throws {
            try await pool.withSession { session in
                for row in rows { try await session.repository(MatrixRow<BulkTable, Placeholder>.self).add(row) }
            }
        }
        switch path {
        case .copySequence:
            let copied = try await pool.withSession { try await $0.repository(Row.self).addMany(rows) }
            #expect(copied == rows.count)
        case .copyAsyncSequence:
            let copied = try await pool.withSession { try await $0.repository(Row.self).addMany(AsyncRows(rows: rows)) }
            #expect(copied == rows.count)
        case .addManyReturning:
            let ids = try await pool.withSession { try await $0.repository(Row.self).addMany(rows, returning: \.id) }
            #expect(ids == rows.map(\.id))
        case .upsertMany:
            // Half the keys exist already: inserts and updates in one statement.
            try await preinsert(stride(from: 0, to: placeholders.count, by: 2).map { placeholders[$0] })
            let affected = try await pool.withSession { try await $0.repository(Row.self).upsertMany(rows, matching: [\.id]) }
            #expect(affected == rows.count)
        case .upsert:
            try await preinsert(stride(from: 0, to: placeholders.count, by: 2).map { placeholders[$0] })
            try await pool.withSession { session in
                for row in rows { try await session.repository(Row.self).upsert(row, matching: [\.id]) }
            }
        case .updateMany:
            try await preinsert(placeholders)
            let affected = try await pool.withSession { try await $0.repository(Row.self).updateMany(rows) }
            #expect(affected == rows.count)
        case .flushInserts:
            try await pool.withSession { session in
                for row in rows { session.add(row) }
            }
        case .flushUpdates:
            try await preinsert(placeholders)
            try await pool.withSession { session in
                for row in rows { session.update(row) }
            }
        }
    }

    /// Creates `bulk` and `reference` with `columns`, writes `values` through each of `paths`
    /// into `bulk` and the `reference` values one `add()` each into `reference`, and expects the
    /// server's text of both tables (`select`, over alias `t`) to be equal row for row.
    static func verify<V: MatrixValues, R: MatrixValues>(
        _ pool: ConnectionPool, columns: String, values: [V], reference: (V) -> R,
        select: String = "t::text", paths: [BulkPath] = BulkPath.allCases,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await pool.withConnection { connection in
            try await connection.executeScript(SQL(unsafeRaw: """
                CREATE TABLE bulk (id int8 PRIMARY KEY, \(columns));
                CREATE TABLE reference (id int8 PRIMARY KEY, \(columns))
                """))
        }
        for path in paths {
            let firstID = Int64(path.rawValue) * 1_000
            try await write(values, firstID: firstID, through: path, placeholders: R.self, pool: pool)
            try await pool.withSession { session in
                for (offset, value) in values.enumerated() {
                    try await session.repository(MatrixRow<ReferenceTable, R>.self)
                        .add(MatrixRow(id: firstID + Int64(offset), values: reference(value)))
                }
            }
        }
        let (bulk, twin) = try await pool.withConnection { connection in
            (try await text(of: "bulk", select: select, connection), try await text(of: "reference", select: select, connection))
        }
        #expect(bulk.count == values.count * paths.count, sourceLocation: sourceLocation)
        for (stored, expected) in zip(bulk, twin) where stored != expected {
            Issue.record("through \(BulkPath(rawValue: Int(stored.id / 1_000)).map(String.init(describing:)) ?? "?"): \(stored.text ?? "NULL") where add() stored \(expected.text ?? "NULL")",
                         sourceLocation: sourceLocation)
        }
        #expect(bulk.map(\.id) == twin.map(\.id), sourceLocation: sourceLocation)
    }

    static func verify<V: MatrixValues>(_ pool: ConnectionPool, columns: String, values: [V], select: String = "t::text",
                                        paths: [BulkPath] = BulkPath.allCases,
                                        sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await verify(pool, columns: columns, values: values, reference: { $0 }, select: select, paths: paths,
                         sourceLocation: sourceLocation)
    }

    static func write<V: MatrixValues>(_ values: [V], firstID: Int64, through path: BulkPath, pool: ConnectionPool) async throws {
        try await write(values, firstID: firstID, through: path, placeholders: V.self, pool: pool)
    }

    static func text(of table: String, select: String, _ connection: Connection) async throws -> [(id: Int64, text: String?)] {
        try await connection.query(SQL(unsafeRaw: "SELECT t.id, \(select) FROM \(table) t ORDER BY t.id")).map {
            (try $0.decode(Int64.self, at: 0), try $0.decode(String?.self, at: 1))
        }
    }

    /// The encoding error a bulk path threw: directly, or inside a flush's pipeline error.
    static func encodingError(_ error: (any Error)?) -> PostgresEncodingError? {
        switch error {
        case let error as PostgresEncodingError: error
        case let error as PipelineError:
            if case .unencodable(let encoding) = error.reason { encoding } else { nil }
        case let error as SessionError: encodingError(error.underlying)
        default: nil
        }
    }
}
