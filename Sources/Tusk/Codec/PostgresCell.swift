/// A non-NULL value as PostgreSQL sent it: its binary bytes and its type.
///
/// The bytes are only valid during the decode call that receives the cell.
public struct PostgresCell {
    /// The value's binary representation.
    public let bytes: UnsafeRawBufferPointer
    /// The value's PostgreSQL type.
    public let type: PostgresDataType

    /// Creates a cell over `bytes` of type `type`.
    @inline(__always)
    public init(bytes: UnsafeRawBufferPointer, type: PostgresDataType) {
        self.bytes = bytes
        self.type = type
    }

    /// The number of bytes.
    @inline(__always)
    public var count: Int { bytes.count }

    /// Reads a big-endian integer at `offset`; the caller has checked the length.
    @inline(__always)
    public func integer<T: FixedWidthInteger>(at offset: Int = 0, as: T.Type = T.self) -> T {
        T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Throws unless the cell holds exactly `count` bytes.
    @inline(__always)
    public func expectLength<T>(_ count: Int, for swiftType: T.Type) throws {
        guard bytes.count == count else {
            throw PostgresDecodingError(.invalidValue, swiftType: swiftType, postgresType: type,
                                        message: "expected \(count) bytes, got \(bytes.count)")
        }
    }

    /// The error for a cell whose type cannot be decoded as `swiftType`.
    public func typeMismatch<T>(_ swiftType: T.Type) -> PostgresDecodingError {
        PostgresDecodingError(.typeMismatch, swiftType: swiftType, postgresType: type,
                              message: "cannot decode PostgreSQL \(type) as \(swiftType)")
    }

    /// The error for malformed bytes.
    public func invalid<T>(_ swiftType: T.Type, _ message: String) -> PostgresDecodingError {
        PostgresDecodingError(.invalidValue, swiftType: swiftType, postgresType: type, message: message)
    }

    /// Decodes any PostgreSQL integer (int2, int4, int8) into `T`, throwing when it does not fit.
    @inline(__always)
    func decodeInteger<T: FixedWidthInteger>(as swiftType: T.Type) throws -> T {
        let wide: Int64
        switch (type, bytes.count) {
        case (.int8, 8): wide = integer(as: Int64.self)
        case (.int4, 4): wide = Int64(integer(as: Int32.self))
        case (.int2, 2): wide = Int64(integer(as: Int16.self))
        case (.int8, _), (.int4, _), (.int2, _):
            throw invalid(swiftType, "an integer of \(bytes.count) bytes")
        default:
            throw typeMismatch(swiftType)
        }
        guard let value = T(exactly: wide) else {
            throw PostgresDecodingError(.outOfRange, swiftType: swiftType, postgresType: type,
                                        message: "\(wide) does not fit in \(swiftType)")
        }
        return value
    }
}
