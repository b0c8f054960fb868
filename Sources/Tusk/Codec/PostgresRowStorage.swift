/// Rows as decoders read them: a query result or a batch of binary COPY rows.
protocol PostgresRowStorage {
    /// The number of columns.
    var columnCount: Int { get }
    /// The name of column `column`.
    func columnName(_ column: Int) -> String
    /// The type of column `column`.
    func columnType(_ column: Int) -> PostgresDataType
    /// The bytes of a cell, nil for NULL; valid while the storage lives.
    func cellBytes(row: Int, column: Int) -> UnsafeRawBufferPointer?
}

extension PostgresRowStorage {
    /// Decodes one cell as `T`, naming the column in any error.
    @inline(__always)
    func decodeCell<T: PostgresDecodable>(_ type: T.Type, row: Int, column: Int) throws -> T {
        do {
            guard let bytes = cellBytes(row: row, column: column) else { return try T.decodeNull() }
            return try T(from: PostgresCell(bytes: bytes, type: columnType(column)))
        } catch let error as PostgresDecodingError {
            var located = error.at(column: columnName(column), index: column)
            if located.postgresType == nil { located.postgresType = columnType(column) }
            throw located
        }
    }
}
