extension Int32: PostgresEncodable {
    /// `int4`.
    public static var postgresType: PostgresDataType { .int4 }

    /// Appends the 4-byte big-endian integer.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: self)
    }
}

extension Int32: PostgresDecodable {
    /// Decodes `int2`, `int4` or `int8`; throws `outOfRange` when the value does not fit.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        if cell.type == .int4, cell.count == 4 {
            self = cell.integer(as: Int32.self)
            return
        }
        self = try cell.decodeInteger(as: Int32.self)
    }
}

extension Int32: PostgresArrayElement {
    /// `int4[]`.
    public static var postgresArrayType: PostgresDataType { .int4Array }
}
