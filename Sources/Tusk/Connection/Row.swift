/// One row of a ``QueryResult``.
///
/// ```swift
/// let id = try row.decode(Int64.self, at: 0)
/// let email = try row.decode(String.self, column: "email")
/// let (name, age) = try row.decodeColumns((String, Int32?).self)
/// let user = try row.decode(User.self)
/// ```
public struct Row: Sendable {
    let storage: PGResult
    /// The row's 0-based position in its result.
    public let index: Int
    let plans: DecodingPlanCache?

    /// The number of columns.
    public var columnCount: Int { storage.columnCount }

    /// Whether the cell at `column` (0-based) is NULL.
    ///
    /// - Throws: ``PostgresDecodingError`` with ``PostgresDecodingError/Code/missingColumn`` for an
    ///   index past the last column.
    public func isNull(at column: Int) throws -> Bool {
        guard column >= 0, column < storage.columnCount else {
            throw PostgresDecodingError(.missingColumn, swiftType: Any.self, postgresType: nil, columnIndex: column,
                                        message: "the row has \(storage.columnCount) columns")
        }
        return storage.isNull(row: index, column: column)
    }

    /// Decodes the cell at `column` (0-based).
    ///
    /// - Throws: ``PostgresDecodingError`` (type mismatch, unexpected NULL, out of range, or
    ///   ``PostgresDecodingError/Code/missingColumn`` for an index past the last column).
    public func decode<T: PostgresDecodable>(_ type: T.Type, at column: Int) throws -> T {
        guard column >= 0, column < storage.columnCount else {
            throw PostgresDecodingError(.missingColumn, swiftType: T.self, postgresType: nil, columnIndex: column,
                                        message: "the row has \(storage.columnCount) columns")
        }
        return try storage.decodeCell(T.self, row: index, column: column)
    }

    /// Decodes the cell of the column named `name` (exact match; the first of several).
    ///
    /// - Throws: ``PostgresDecodingError``, with code ``PostgresDecodingError/Code/missingColumn``
    ///   when there is no such column.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        guard let column = storage.columnIndex(named: name) else {
            throw PostgresDecodingError(.missingColumn, swiftType: T.self, postgresType: nil, column: name,
                                        message: "the row has no column \"\(name)\"")
        }
        return try storage.decodeCell(T.self, row: index, column: column)
    }

    /// Decodes the first columns, in order, as a tuple: `row.decodeColumns((Int64, String?).self)`.
    ///
    /// - Throws: ``PostgresDecodingError`` for the first column that does not decode.
    public func decodeColumns<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var column = 0
        func next<V: PostgresDecodable>(_ type: V.Type) throws -> V {
            defer { column += 1 }
            return try decode(V.self, at: column)
        }
        return (repeat try next((each T).self))
    }

    /// Decodes the row as a `Decodable` type: each coding key names a column.
    ///
    /// - Throws: ``PostgresDecodingError`` naming the column, Swift type and PostgreSQL type.
    public func decode<T: Decodable>(_ type: T.Type, keyMapping: KeyMapping = .snakeCase) throws -> T {
        if let declared = try DeclaredModelDecoding.decode(T.self, from: .result(storage), rows: index..<(index + 1)),
           let value = declared.first {
            return value
        }
        let context = RowDecodingContext(storage: storage, keyMapping: keyMapping, decoding: T.self, plans: plans)
        context.start(row: index)
        let value = try context.decodeRow(T.self)
        context.finishFirstRow()
        return value
    }
}
