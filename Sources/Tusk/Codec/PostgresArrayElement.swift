/// A value that can be an element of a one-dimensional PostgreSQL array (`int8[]`, `text[]`, …),
/// so `[Element]` and `[Element?]` bind and decode as arrays.
///
/// Every built-in codec conforms. `[UInt8]` is the exception that proves the rule: it is
/// `bytea`, not an array of `"char"`.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    /// The array type, e.g. ``PostgresDataType/int8Array`` for `Int64`.
    static var postgresArrayType: PostgresDataType { get }

    /// Appends the binary form of an array of these elements. The default writes PostgreSQL's
    /// array format (dimensions, NULL flag, element type, length-prefixed elements).
    static func encodeArray(_ elements: [Self], into buffer: inout PostgresEncodingBuffer) throws

    /// Decodes an array of these elements. The default reads PostgreSQL's one-dimensional array
    /// format; NULL elements decode through ``PostgresDecodable/decodeNull()``.
    static func decodeArray(from cell: PostgresCell) throws -> [Self]
}

extension PostgresArrayElement {
    /// The element OID written in the array header: text for elements the server infers.
    @inline(__always)
    static var arrayHeaderElementType: PostgresDataType {
        postgresType == .unspecified ? .text : postgresType
    }

    /// Writes PostgreSQL's array format: ndim, has-null flag, element OID, dimension, elements.
    public static func encodeArray(_ elements: [Self], into buffer: inout PostgresEncodingBuffer) throws {
        guard !elements.isEmpty else {
            buffer.append(bigEndian: Int32(0))
            buffer.append(bigEndian: Int32(0))
            buffer.append(bigEndian: arrayHeaderElementType.rawValue)
            return
        }
        guard elements.count <= Int(Int32.max) else {
            throw PostgresEncodingError(.valueTooLarge, "an array of \(elements.count) elements")
        }
        buffer.append(bigEndian: Int32(1))
        buffer.append(bigEndian: Int32(elements.contains { $0.isPostgresNull } ? 1 : 0))
        buffer.append(bigEndian: arrayHeaderElementType.rawValue)
        buffer.append(bigEndian: Int32(elements.count))
        buffer.append(bigEndian: Int32(1))
        for element in elements {
            try buffer.appendField(element)
        }
    }

    /// Reads PostgreSQL's one-dimensional array format.
    ///
    /// The header is checked against the cell before anything is allocated: a corrupt or hostile
    /// cell declaring 2^31-1 elements in a few bytes is an error, not gigabytes reserved.
    public static func decodeArray(from cell: PostgresCell) throws -> [Self] {
        guard cell.count >= 12 else { throw cell.typeMismatch([Self].self) }
        let dimensions = cell.integer(at: 0, as: Int32.self)
        let flags = cell.integer(at: 4, as: Int32.self)
        let elementType = PostgresDataType(rawValue: cell.integer(at: 8, as: UInt32.self))
        // array_recv accepts only 0 and 1 (has nulls) and a non-negative dimension count.
        guard flags == 0 || flags == 1 else { throw cell.invalid([Self].self, "array flags \(flags)") }
        guard dimensions >= 0 else { throw cell.invalid([Self].self, "array with \(dimensions) dimensions") }
        if dimensions == 0 { return [] }
        guard dimensions == 1 else {
            throw PostgresDecodingError(.typeMismatch, swiftType: [Self].self, postgresType: cell.type,
                                        message: "a \(dimensions)-dimensional array cannot be decoded as a Swift array")
        }
        guard cell.count >= 20 else { throw cell.invalid([Self].self, "truncated array header") }
        let count = Int(cell.integer(at: 12, as: Int32.self))
        let lowerBound = Int(cell.integer(at: 16, as: Int32.self))
        guard count >= 0 else { throw cell.invalid([Self].self, "negative array length") }
        // Every element carries at least its 4-byte length (-1 for NULL).
        guard count <= (cell.count - 20) / 4 else {
            throw cell.invalid([Self].self, "array declares \(count) elements but its \(cell.count) bytes hold at most \((cell.count - 20) / 4)")
        }
        // PostgreSQL keeps the upper bound (lower + count - 1) within int32.
        guard lowerBound + count - 1 <= Int(Int32.max) else {
            throw cell.invalid([Self].self, "array bounds [\(lowerBound):\(lowerBound + count - 1)] exceed int32")
        }
        var result: [Self] = []
        result.reserveCapacity(count)
        var offset = 20
        for index in 0..<count {
            guard offset + 4 <= cell.count else { throw cell.invalid([Self].self, "truncated array element \(index)") }
            let length = Int(cell.integer(at: offset, as: Int32.self))
            offset += 4
            if length < 0 {
                result.append(try decodeNull())
                continue
            }
            guard offset + length <= cell.count else { throw cell.invalid([Self].self, "truncated array element \(index)") }
            let element = PostgresCell(bytes: UnsafeRawBufferPointer(rebasing: cell.bytes[offset..<(offset + length)]), type: elementType)
            result.append(try Self(from: element))
            offset += length
        }
        guard offset == cell.count else {
            throw cell.invalid([Self].self, "\(cell.count - offset) bytes after the last array element")
        }
        return result
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// The element's array type (`int8[]`, `text[]`, …; `bytea` for `[UInt8]`).
    public static var postgresType: PostgresDataType { Element.postgresArrayType }

    /// Appends the array in PostgreSQL's binary array format.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        try Element.encodeArray(self, into: &buffer)
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    /// Decodes a one-dimensional array (or `bytea` for `[UInt8]`).
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        self = try Element.decodeArray(from: cell)
    }
}
