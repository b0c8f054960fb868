extension Bool: PostgresEncodable {
    /// `bool`.
    public static var postgresType: PostgresDataType { .bool }

    /// Appends one byte, 1 or 0.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: UInt8(self ? 1 : 0))
    }
}

extension Bool: PostgresDecodable {
    /// Decodes `bool`.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        guard cell.type == .bool else { throw cell.typeMismatch(Bool.self) }
        try cell.expectLength(1, for: Bool.self)
        self = cell.bytes[0] != 0
    }
}

extension Bool: PostgresArrayElement {
    /// `bool[]`.
    public static var postgresArrayType: PostgresDataType { .boolArray }
}
