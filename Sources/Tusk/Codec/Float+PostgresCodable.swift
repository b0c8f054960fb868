extension Float: PostgresEncodable {
    /// `float4`.
    public static var postgresType: PostgresDataType { .float4 }

    /// Appends the IEEE 754 bits, big-endian.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: bitPattern)
    }
}

extension Float: PostgresDecodable {
    /// Decodes `float4`; a `float8` only when it converts exactly (no silent rounding).
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        switch (cell.type, cell.count) {
        case (.float4, 4):
            self = Float(bitPattern: cell.integer(as: UInt32.self))
        case (.float8, 8):
            let wide = Double(bitPattern: cell.integer(as: UInt64.self))
            if wide.isNaN {
                self = .nan
            } else if let exact = Float(exactly: wide) {
                self = exact
            } else {
                throw PostgresDecodingError(.outOfRange, swiftType: Float.self, postgresType: cell.type,
                                            message: "\(wide) is not exactly representable as Float; decode as Double")
            }
        default:
            throw cell.typeMismatch(Float.self)
        }
    }
}

extension Float: PostgresArrayElement {
    /// `float4[]`.
    public static var postgresArrayType: PostgresDataType { .float4Array }
}
