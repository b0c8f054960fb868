extension UInt8: PostgresEncodable {
    /// `"char"`, PostgreSQL's one-byte type. An array of bytes, `[UInt8]`, is `bytea`.
    public static var postgresType: PostgresDataType { .char }

    /// Appends the byte.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: self)
    }
}

extension UInt8: PostgresDecodable {
    /// Decodes `"char"`.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        guard cell.type == .char else { throw cell.typeMismatch(UInt8.self) }
        try cell.expectLength(1, for: UInt8.self)
        self = cell.bytes[0]
    }
}

extension UInt8: PostgresArrayElement {
    /// `bytea`: `[UInt8]` is binary data, not an array of `"char"`.
    public static var postgresArrayType: PostgresDataType { .bytea }

    /// Appends the bytes as they are (`bytea`'s binary form).
    public static func encodeArray(_ elements: [UInt8], into buffer: inout PostgresEncodingBuffer) {
        buffer.append(contentsOf: elements)
    }

    /// Decodes `bytea`.
    public static func decodeArray(from cell: PostgresCell) throws -> [UInt8] {
        guard cell.type == .bytea else { throw cell.typeMismatch([UInt8].self) }
        return Array(cell.bytes)
    }
}
