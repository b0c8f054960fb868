/// The values bound to a statement's `$1 … $n` placeholders, already encoded in binary format.
///
/// ``SQL`` fills this as it is interpolated; it is rarely built by hand.
public struct PostgresBindings: Sendable {
    /// The encoded values, each framed as a 4-byte length (`-1` for NULL) and its bytes.
    var buffer: PostgresEncodingBuffer
    /// The parameter types, one per value.
    var types: [PostgresDataType]
    /// The first value that failed to encode, thrown when the statement is executed.
    var encodingError: PostgresEncodingError?

    /// Creates an empty set of bindings.
    public init() {
        buffer = PostgresEncodingBuffer()
        types = []
        encodingError = nil
    }

    /// The number of values bound.
    public var count: Int { types.count }

    /// Binds one more value, encoding it now.
    ///
    /// An encoding failure is remembered and thrown when the statement is executed, so
    /// interpolating a value into ``SQL`` never needs `try`.
    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        do {
            try buffer.appendField(value)
        } catch let error as PostgresEncodingError {
            recordFailure(error)
        } catch {
            recordFailure(PostgresEncodingError(.unsupportedValue, "\(Value.self) failed to encode: \(error)"))
        }
        types.append(Value.postgresType)
    }

    /// Binds an already-encoded field with its own type.
    public mutating func append(_ field: EncodedRow.Field) {
        buffer.appendField(encoded: field.bytes)
        types.append(field.type)
    }

    /// The bound values as fields (bytes and type), in order.
    var fields: [EncodedRow.Field] {
        var result: [EncodedRow.Field] = []
        var offset = 0
        let bytes = buffer.bytes
        for (index, type) in types.enumerated() {
            let length = bytes[offset..<(offset + 4)].reduce(Int32(0)) { ($0 << 8) | Int32($1) }
            offset += 4
            var value: [UInt8]?
            if length >= 0 {
                value = Array(bytes[offset..<(offset + Int(length))])
                offset += Int(length)
            }
            result.append(EncodedRow.Field(column: "$\(index + 1)", key: "$\(index + 1)", type: type, bytes: value))
        }
        return result
    }

    /// Appends every value of `other`, in order.
    mutating func append(contentsOf other: PostgresBindings) {
        buffer.append(contentsOf: other.buffer.bytes)
        types.append(contentsOf: other.types)
        if encodingError == nil { encodingError = other.encodingError }
    }

    mutating func recordFailure(_ error: PostgresEncodingError) {
        // Keep the framing consistent: a failed value is bound as NULL, and the statement is
        // never sent because the error is thrown first.
        buffer.append(bigEndian: Int32(-1))
        if encodingError == nil { encodingError = error }
    }

    /// Throws the first encoding failure, or a too-many-parameters error.
    func validate() throws {
        if let encodingError { throw encodingError }
        if types.count > SQL.maximumParameterCount {
            throw PostgresEncodingError(
                .tooManyParameters,
                "the statement binds \(types.count) parameters; PostgreSQL accepts at most \(SQL.maximumParameterCount). Bind arrays (= ANY($1), unnest) instead"
            )
        }
    }

    /// Calls `body` with the value pointers and lengths libpq expects (nil pointer for NULL).
    func withUnsafeParameters<R>(
        _ body: (_ values: UnsafePointer<UnsafePointer<CChar>?>?, _ lengths: UnsafePointer<Int32>?, _ count: Int) throws -> R
    ) rethrows -> R {
        let count = types.count
        if count == 0 { return try body(nil, nil, 0) }
        return try buffer.bytes.withUnsafeBytes { raw in
            try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { lengths in
                    var offset = 0
                    for index in 0..<count {
                        let length = Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                        offset += 4
                        if length < 0 {
                            values[index] = nil
                            lengths[index] = 0
                        } else {
                            values[index] = raw.baseAddress.map {
                                UnsafePointer($0.advanced(by: offset).assumingMemoryBound(to: CChar.self))
                            }
                            lengths[index] = length
                            offset += Int(length)
                        }
                    }
                    return try body(UnsafePointer(values.baseAddress), UnsafePointer(lengths.baseAddress), count)
                }
            }
        }
    }
}
