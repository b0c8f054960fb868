extension Int16: PostgresEncodable {
    /// `int2`.
    public static var postgresType: PostgresDataType { .int2 }

    /// Appends the 2-byte big-endian integer.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: self)
    }
}

extension Int16: PostgresDecodable {
    /// Decodes `int2`, `int4` or `int8`; throws `outOfRange` when the value does not fit.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        if cell.type == .int2, cell.count == 2 {
            self = cell.integer(as: Int16.self)
            return
        }
        self = try cell.decodeInteger(as: Int16.self)
    }
}

extension Int16: PostgresArrayElement {
    /// `int2[]`.
    public static var postgresArrayType: PostgresDataType { .int2Array }
}
