extension Int: PostgresEncodable {
    /// `int8`: Swift's `Int` is 64 bits on every platform Tusk supports.
    public static var postgresType: PostgresDataType { .int8 }

    /// Appends the 8-byte big-endian integer.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: Int64(self))
    }
}

extension Int: PostgresDecodable {
    /// Decodes `int2`, `int4` or `int8`.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        if cell.type == .int8, cell.count == 8 {
            self = Int(cell.integer(as: Int64.self))
            return
        }
        self = try cell.decodeInteger(as: Int.self)
    }
}

extension Int: PostgresArrayElement {
    /// `int8[]`.
    public static var postgresArrayType: PostgresDataType { .int8Array }
}
