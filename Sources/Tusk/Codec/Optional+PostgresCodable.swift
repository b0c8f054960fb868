extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    /// The wrapped type's PostgreSQL type; `nil` is sent as NULL of that type.
    public static var postgresType: PostgresDataType { Wrapped.postgresType }

    /// Appends the wrapped value; never called for `nil`.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        if case .some(let value) = self {
            try value.encode(into: &buffer)
        }
    }

    /// `nil` is SQL NULL.
    @inline(__always)
    public var isPostgresNull: Bool {
        if case .none = self { return true }
        return false
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// Decodes the wrapped value.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        self = .some(try Wrapped(from: cell))
    }

    /// SQL NULL decodes as `nil`.
    @inline(__always)
    public static func decodeNull() -> Self { nil }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    /// The wrapped type's array type: `[Int64?]` is `int8[]` with NULL elements.
    public static var postgresArrayType: PostgresDataType { Wrapped.postgresArrayType }
}
