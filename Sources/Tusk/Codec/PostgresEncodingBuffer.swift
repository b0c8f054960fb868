/// A growable byte buffer that values encode themselves into, in PostgreSQL's binary format.
///
/// Parameters, array elements and COPY rows all use the same framing: a 4-byte big-endian length
/// (`-1` for NULL) followed by that many bytes. ``appendField(_:)`` writes one such field.
public struct PostgresEncodingBuffer: Sendable {
    /// The bytes written so far.
    public internal(set) var bytes: [UInt8]

    /// Creates an empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written.
    @inline(__always)
    public var count: Int { bytes.count }

    /// Appends an integer in network byte order (big-endian).
    @inline(__always)
    public mutating func append<T: FixedWidthInteger>(bigEndian value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes.
    @inline(__always)
    public mutating func append(contentsOf other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }

    /// Appends raw bytes from a buffer.
    @inline(__always)
    public mutating func append(contentsOf other: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: other)
    }

    /// Appends one length-prefixed field: `-1` for NULL, otherwise the value's length and bytes.
    ///
    /// - Throws: whatever the value's ``PostgresEncodable/encode(into:)`` throws.
    @inline(__always)
    public mutating func appendField(_ value: some PostgresEncodable) throws {
        if value.isPostgresNull {
            append(bigEndian: Int32(-1))
            return
        }
        let lengthOffset = bytes.count
        append(bigEndian: Int32(0))
        try value.encode(into: &self)
        let length = bytes.count - lengthOffset - 4
        guard length <= Int(Int32.max) else {
            bytes.removeSubrange(lengthOffset...)
            throw PostgresEncodingError(.valueTooLarge, "a value of \(length) bytes exceeds PostgreSQL's 1 GiB field limit")
        }
        patch(bigEndian: Int32(length), at: lengthOffset)
    }

    /// Appends one already-encoded, length-prefixed field: `-1` for nil (NULL).
    @inline(__always)
    mutating func appendField(encoded bytes: [UInt8]?) {
        if let bytes {
            append(bigEndian: Int32(bytes.count))
            append(contentsOf: bytes)
        } else {
            append(bigEndian: Int32(-1))
        }
    }

    /// Overwrites 4 bytes at `offset` with `value` in network byte order.
    @inline(__always)
    mutating func patch(bigEndian value: Int32, at offset: Int) {
        let bigEndian = UInt32(bitPattern: value).bigEndian
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: bigEndian, toByteOffset: offset, as: UInt32.self)
        }
    }

    /// Appends one length-prefixed field, its bytes converted to the column's type after the
    /// value's codec wrote them.
    ///
    /// - Throws: what the value's codec or the conversion throws; the buffer is then as before.
    @inline(__always)
    mutating func appendField(_ value: some PostgresEncodable, converting conversion: PostgresBinaryConversion) throws {
        if value.isPostgresNull {
            append(bigEndian: Int32(-1))
            return
        }
        let lengthOffset = bytes.count
        append(bigEndian: Int32(0))
        do {
            try value.encode(into: &self)
            try conversion.apply(to: &self, from: lengthOffset + 4)
        } catch {
            truncate(to: lengthOffset)
            throw error
        }
        try patchLength(at: lengthOffset)
    }

    /// Appends one already-encoded field (nil for NULL), converted to the column's type.
    ///
    /// - Throws: what the conversion throws; the buffer is then as before.
    mutating func appendField(encoded value: [UInt8]?, converting conversion: PostgresBinaryConversion) throws {
        guard let value else {
            append(bigEndian: Int32(-1))
            return
        }
        let lengthOffset = bytes.count
        append(bigEndian: Int32(0))
        append(contentsOf: value)
        do {
            try conversion.apply(to: &self, from: lengthOffset + 4)
        } catch {
            truncate(to: lengthOffset)
            throw error
        }
        try patchLength(at: lengthOffset)
    }

    /// Writes the length of the field whose prefix is at `lengthOffset`.
    @inline(__always)
    private mutating func patchLength(at lengthOffset: Int) throws {
        let length = bytes.count - lengthOffset - 4
        guard length <= Int(Int32.max) else {
            truncate(to: lengthOffset)
            throw PostgresEncodingError(.valueTooLarge, "a value of \(length) bytes exceeds PostgreSQL's 1 GiB field limit")
        }
        patch(bigEndian: Int32(length), at: lengthOffset)
    }

    /// Drops everything from `count` on, keeping the capacity.
    @inline(__always)
    mutating func truncate(to count: Int) {
        bytes.removeSubrange(count...)
    }

    /// Reads a big-endian integer at `offset`; the caller has checked the length.
    @inline(__always)
    func integer<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
        bytes.withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// Removes everything, keeping the allocated capacity for reuse.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }
}
