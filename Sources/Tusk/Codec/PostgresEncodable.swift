/// A value that can be sent to PostgreSQL in binary format, as a bound parameter, an array
/// element or a COPY field.
///
/// Tusk ships conformances for the common Swift types. A custom type conforms by naming its
/// PostgreSQL type and writing its binary representation:
///
/// ```swift
/// struct Cents: PostgresEncodable {
///     var value: Int64
///     static var postgresType: PostgresDataType { .int8 }
///     func encode(into buffer: inout PostgresEncodingBuffer) throws {
///         buffer.append(bigEndian: value)
///     }
/// }
/// ```
public protocol PostgresEncodable: Sendable {
    /// The type the server should read the binary value as; ``PostgresDataType/unspecified``
    /// lets the server infer it from the statement.
    static var postgresType: PostgresDataType { get }

    /// Appends the binary representation of this value (without a length prefix). Never called
    /// when ``isPostgresNull`` is true.
    ///
    /// - Throws: ``PostgresEncodingError`` when the value cannot be represented (out of range,
    ///   a string containing NUL, …).
    func encode(into buffer: inout PostgresEncodingBuffer) throws

    /// Whether this value is SQL NULL. Only `Optional.none` is.
    var isPostgresNull: Bool { get }
}

extension PostgresEncodable {
    /// Non-optional values are never NULL.
    @inline(__always)
    public var isPostgresNull: Bool { false }
}

/// A value that can be both sent to and read from PostgreSQL in binary format.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable
