/// Where a `@Model` model writes its columns, in ``Model/modelColumns`` order: one row of a
/// statement's binds, a binary COPY row, or one row of `unnest` arrays. The macro generates
/// ``Model/encodeModelRow(into:)``, which calls one of these per column.
///
/// Tusk provides the writers; a model only calls them.
public protocol ModelRowWriter {
    /// Writes a PostgreSQL-typed value (optionals as NULL) into column `column`.
    ///
    /// - Throws: ``PostgresEncodingError`` when the value cannot be encoded.
    mutating func encode<Value: PostgresEncodable & Encodable>(_ value: Value, column: String) throws

    /// Writes any other `Encodable` the way the `Codable` path does: a single-value type (an enum
    /// with a raw value, a wrapper) as its one value, anything with properties as `jsonb`.
    ///
    /// - Throws: ``PostgresEncodingError`` when the value cannot be encoded.
    mutating func encode<Value: Encodable>(_ value: Value, column: String) throws

    /// Writes a value as `jsonb` (`@JSON` properties); nil is SQL NULL.
    ///
    /// - Throws: ``PostgresEncodingError`` when the value cannot be encoded as JSON.
    mutating func encodeJSON<Value: Encodable>(_ value: Value?, column: String) throws
}
