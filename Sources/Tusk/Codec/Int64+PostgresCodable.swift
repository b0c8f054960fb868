extension Int64: PostgresEncodable {
    /// `int8`.
    public static var postgresType: PostgresDataType { .int8 }

    /// Appends the 8-byte big-endian integer.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: self)
    }
}

extension Int64: PostgresDecodable {
    /// Decodes `int2`, `int4` or `int8`; throws `outOfRange` when the value does not fit.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        if cell.type == .int8, cell.count == 8 {
            self = cell.integer(as: Int64.self)
            return
        }
        self = try cell.decodeInteger(as: Int64.self)
    }
}

extension Int64: PostgresArrayElement {
    /// `int8[]`.
    public static var postgresArrayType: PostgresDataType { .int8Array }
}
