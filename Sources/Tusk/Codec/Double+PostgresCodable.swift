extension Double: PostgresEncodable {
    /// `float8`.
    public static var postgresType: PostgresDataType { .float8 }

    /// Appends the IEEE 754 bits, big-endian; NaN and ±infinity travel as they are.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: bitPattern)
    }
}

extension Double: PostgresDecodable {
    /// Decodes `float8` or `float4` (widening is exact), and `int2`/`int4` (exact).
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        switch (cell.type, cell.count) {
        case (.float8, 8): self = Double(bitPattern: cell.integer(as: UInt64.self))
        case (.float4, 4): self = Double(Float(bitPattern: cell.integer(as: UInt32.self)))
        case (.int4, 4): self = Double(cell.integer(as: Int32.self))
        case (.int2, 2): self = Double(cell.integer(as: Int16.self))
        case (.float8, _), (.float4, _): throw cell.invalid(Double.self, "a float of \(cell.count) bytes")
        default: throw cell.typeMismatch(Double.self)
        }
    }
}

extension Double: PostgresArrayElement {
    /// `float8[]`.
    public static var postgresArrayType: PostgresDataType { .float8Array }
}
