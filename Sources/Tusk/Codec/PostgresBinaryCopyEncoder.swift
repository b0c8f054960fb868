/// Writes rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT binary)`).
///
/// ```swift
/// var encoder = PostgresBinaryCopyEncoder()
/// for item in items {
///     encoder.beginRow(fieldCount: 2)
///     try encoder.append(item.id)
///     try encoder.append(item.name)
///     if encoder.count >= 1 << 20 {
///         try await writer.write(encoder.bytes)
///         encoder.clear()
///     }
/// }
/// encoder.finish()
/// try await writer.write(encoder.bytes)
/// ```
///
/// The header is written first; ``finish()`` appends the trailer.
public struct PostgresBinaryCopyEncoder: Sendable {
    /// `PGCOPY\n\377\r\n\0`, then flags and header-extension length, both 0.
    static let header: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]

    private var buffer: PostgresEncodingBuffer

    /// Creates an encoder whose buffer starts with the COPY header.
    public init(capacity: Int = 1 << 20) {
        buffer = PostgresEncodingBuffer(capacity: capacity)
        buffer.append(contentsOf: Self.header)
    }

    /// The encoded bytes not yet cleared.
    public var bytes: [UInt8] { buffer.bytes }

    /// The number of encoded bytes not yet cleared.
    public var count: Int { buffer.count }

    /// Forgets the encoded bytes (after they were sent), keeping the buffer's capacity.
    public mutating func clear() {
        buffer.removeAll()
    }

    /// Starts a row of `fieldCount` fields; append exactly that many values next.
    public mutating func beginRow(fieldCount: Int) {
        buffer.append(bigEndian: Int16(truncatingIfNeeded: fieldCount))
    }

    /// Appends one field of the current row (NULL for `nil`).
    ///
    /// - Throws: ``PostgresEncodingError`` when the value cannot be encoded; the buffer then holds
    ///   a partial row and must not be sent.
    public mutating func append(_ value: some PostgresEncodable) throws {
        try buffer.appendField(value)
    }

    /// Appends an encoded field.
    public mutating func append(_ field: EncodedRow.Field) {
        buffer.appendField(encoded: field.bytes)
    }

    /// Appends the trailer that ends the data.
    public mutating func finish() {
        buffer.append(bigEndian: Int16(-1))
    }

    /// The buffer, for sinks that encode rows straight into it.
    var encodingBuffer: PostgresEncodingBuffer {
        get { buffer }
        _modify { yield &buffer }
    }
}
