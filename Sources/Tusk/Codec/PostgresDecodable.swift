/// A value that can be read from a PostgreSQL result cell or COPY field in binary format.
///
/// ```swift
/// struct Cents: PostgresDecodable {
///     var value: Int64
///     init(from cell: PostgresCell) throws {
///         value = try Int64(from: cell)
///     }
/// }
/// ```
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value from its binary representation.
    ///
    /// - Throws: ``PostgresDecodingError`` when the cell's type does not fit this Swift type or
    ///   its bytes are malformed. Tusk adds the column name to the error.
    init(from cell: PostgresCell) throws

    /// The value for SQL NULL: `Optional` returns `nil`; every other type throws
    /// ``PostgresDecodingError/Code/unexpectedNull``.
    static func decodeNull() throws -> Self
}

extension PostgresDecodable {
    /// Throws ``PostgresDecodingError/Code/unexpectedNull``: only optionals accept NULL.
    public static func decodeNull() throws -> Self {
        throw PostgresDecodingError(.unexpectedNull, swiftType: Self.self, postgresType: nil,
                                    message: "NULL cannot be decoded as non-optional \(Self.self); use \(Self.self)?")
    }
}
