/// The rows and command status of one executed statement.
///
/// A result is a random-access collection of ``Row``s, decoded from PostgreSQL's binary format
/// on demand:
///
/// ```swift
/// let result = try await connection.query("SELECT id, email FROM users WHERE active = \(true)")
/// for row in result {
///     let (id, email) = try row.decodeColumns((Int64, String).self)
/// }
/// let users = try result.decode(User.self)
/// ```
///
/// A result holds its rows in memory (libpq's `PGresult`); use streaming or COPY for large reads.
public struct QueryResult: Sendable, RandomAccessCollection {
    let storage: PGResult
    /// Decoding plans of the prepared statement this result came from, if any.
    let plans: DecodingPlanCache?

    init(storage: PGResult, plans: DecodingPlanCache? = nil) {
        self.storage = storage
        self.plans = plans
    }

    /// Index of the first row (0).
    public var startIndex: Int { 0 }
    /// One past the last row.
    public var endIndex: Int { storage.rowCount }

    /// The row at `position`. Like an array's subscript, an index outside `0..<count` is a
    /// programming error and traps.
    public subscript(position: Int) -> Row {
        precondition(position >= 0 && position < storage.rowCount,
                     "row \(position) is outside the result's \(storage.rowCount) rows")
        return Row(storage: storage, index: position, plans: plans)
    }

    /// The number of columns.
    public var columnCount: Int { storage.columnCount }

    /// The columns' names, in order.
    public var columnNames: [String] { (0..<storage.columnCount).map(storage.columnName) }

    /// The columns' PostgreSQL types, in order.
    public var columnTypes: [PostgresDataType] { (0..<storage.columnCount).map(storage.columnType) }

    /// Rows inserted, updated, deleted, selected, copied or fetched, as the command tag reports;
    /// nil for commands that report none (`CREATE TABLE`).
    public var affectedRows: Int? { storage.affectedRows }

    /// The command tag, e.g. `UPDATE 3`.
    public var commandTag: String { storage.commandTag }

    /// Decodes every row as `T`, mapping coding keys to columns with `keyMapping`.
    ///
    /// - Throws: ``PostgresDecodingError`` naming the column, Swift type and PostgreSQL type.
    public func decode<T: Decodable>(_ type: T.Type, keyMapping: KeyMapping = .snakeCase) throws -> [T] {
        if let declared = try DeclaredModelDecoding.decode(T.self, from: .result(storage), rows: 0..<storage.rowCount) {
            return declared
        }
        let context = RowDecodingContext(storage: storage, keyMapping: keyMapping, decoding: T.self, plans: plans)
        var values: [T] = []
        values.reserveCapacity(storage.rowCount)
        for row in 0..<storage.rowCount {
            context.start(row: row)
            values.append(try context.decodeRow(T.self))
            if row == 0 { context.finishFirstRow() }
        }
        return values
    }
}

extension PGResult: PostgresRowStorage {
    @inline(__always)
    func cellBytes(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        bytes(row: row, column: column)
    }
}
