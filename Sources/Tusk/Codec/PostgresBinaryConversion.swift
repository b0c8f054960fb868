/// How the binary form of a value of one PostgreSQL type becomes the binary form of its column's
/// type, the way the server's assignment cast would convert it — done by the client, because
/// binary COPY has no casts and a client-side check can name the column before anything is sent.
///
/// A conversion is decided once per column (``ColumnEncoding/plan(value:swiftType:into:timeZone:path:)``)
/// and applied to each value's bytes right after the value's own codec wrote them, in place:
/// no intermediate value, no allocation for the fixed-width conversions.
struct PostgresBinaryConversion: Hashable, Sendable {
    /// A fixed-width integer type.
    enum IntegerWidth: Hashable, Sendable {
        case int2, int4, int8

        init?(_ type: PostgresDataType) {
            switch type {
            case .int2: self = .int2
            case .int4: self = .int4
            case .int8: self = .int8
            default: return nil
            }
        }

        /// The encoded size in bytes.
        var size: Int {
            switch self {
            case .int2: 2
            case .int4: 4
            case .int8: 8
            }
        }

        var range: ClosedRange<Int64> {
            switch self {
            case .int2: Int64(Int16.min)...Int64(Int16.max)
            case .int4: Int64(Int32.min)...Int64(Int32.max)
            case .int8: Int64.min...Int64.max
            }
        }

        /// The name PostgreSQL uses in its own range errors.
        var sqlName: String {
            switch self {
            case .int2: "smallint"
            case .int4: "integer"
            case .int8: "bigint"
            }
        }
    }

    /// A floating-point type.
    enum FloatWidth: Hashable, Sendable {
        case float4, float8

        init?(_ type: PostgresDataType) {
            switch type {
            case .float4: self = .float4
            case .float8: self = .float8
            default: return nil
            }
        }

        var size: Int { self == .float4 ? 4 : 8 }
        var sqlName: String { self == .float4 ? "real" : "double precision" }
    }

    /// What happens to one scalar value (or to each element of an array).
    enum Step: Hashable, Sendable {
        /// The bytes stay as they are.
        case none
        /// Sign-extends or narrows, with a range check.
        case integer(from: IntegerWidth, to: IntegerWidth)
        /// Rounds to the nearest representable value, as C's conversion (and the server) does.
        case integerToFloat(from: IntegerWidth, to: FloatWidth)
        /// Exact.
        case integerToNumeric(from: IntegerWidth)
        /// `float4` → `float8` is exact; `float8` → `float4` checks overflow and underflow.
        case float(from: FloatWidth, to: FloatWidth)
        /// Rounds half to even (`rint`), with a range check; NaN is refused.
        case floatToInteger(from: FloatWidth, to: IntegerWidth)
        /// The server's `float8_numeric`: 15 significant digits (6 for `float4`).
        case floatToNumeric(from: FloatWidth)
        /// Rounds half away from zero, with a range check; NaN and infinities are refused.
        case numericToInteger(to: IntegerWidth)
        /// Through the decimal text, correctly rounded, with overflow and underflow checks.
        case numericToFloat(to: FloatWidth)
        /// Microseconds (UTC wall clock) → days, rounding toward the earlier day; infinities kept.
        case timestampToDate
        /// Days → microseconds at midnight; infinities kept; past 294276 AD is refused.
        case dateToTimestamp
        /// JSON text → `jsonb`: the version byte first.
        case addJSONBVersion
        /// `jsonb` → JSON text: the version byte dropped.
        case dropJSONBVersion
        /// Text → `name`: refused at 64 bytes or more (the server's `name` holds 63).
        case checkNameLength
    }

    /// What happens to a scalar value, or to each element of an array value.
    var step: Step
    /// For array values: the element type the array header must name (written over the
    /// value's own), since the server refuses an array whose element type is not the column's.
    var arrayElementType: PostgresDataType?

    /// The bytes go out as the value's codec wrote them.
    static let identity = PostgresBinaryConversion(step: .none, arrayElementType: nil)

    /// Whether the conversion leaves the bytes untouched: the common case, checked per value.
    @inline(__always)
    var isIdentity: Bool {
        if case .none = step, arrayElementType == nil { return true }
        return false
    }

    /// Converts the value whose bytes run from `start` to the end of `buffer` (no length prefix),
    /// in place; the value may change length.
    ///
    /// - Throws: ``PostgresEncodingError`` with `outOfRange` when the value does not fit the
    ///   target type, `unsupportedValue` when the bytes are not a well-formed value of the source
    ///   type. The caller names the column.
    func apply(to buffer: inout PostgresEncodingBuffer, from start: Int) throws {
        if let arrayElementType {
            try Self.convertArray(in: &buffer, from: start, elementType: arrayElementType, step: step)
        } else {
            try Self.convert(step, in: &buffer, from: start)
        }
    }

    // MARK: - Scalars

    static func convert(_ step: Step, in buffer: inout PostgresEncodingBuffer, from start: Int) throws {
        switch step {
        case .none:
            return
        case .integer(let from, let to):
            let value = try readInteger(buffer, from: start, width: from)
            buffer.truncate(to: start)
            try appendInteger(value, as: to, into: &buffer)
        case .integerToFloat(let from, let to):
            let value = try readInteger(buffer, from: start, width: from)
            buffer.truncate(to: start)
            switch to {
            case .float4: buffer.append(bigEndian: Float(value).bitPattern)
            case .float8: buffer.append(bigEndian: Double(value).bitPattern)
            }
        case .integerToNumeric(let from):
            let value = try readInteger(buffer, from: start, width: from)
            buffer.truncate(to: start)
            appendNumeric(value, into: &buffer)
        case .float(let from, let to):
            let value = try readFloat(buffer, from: start, width: from)
            buffer.truncate(to: start)
            try appendFloat(value, as: to, into: &buffer)
        case .floatToInteger(let from, let to):
            let value = try readFloat(buffer, from: start, width: from)
            buffer.truncate(to: start)
            try appendInteger(rounding: value, as: to, into: &buffer)
        case .floatToNumeric(let from):
            let value = try readFloat(buffer, from: start, width: from)
            buffer.truncate(to: start)
            try appendNumeric(value, significantDigits: from == .float4 ? 6 : 15, into: &buffer)
        case .numericToInteger(let to):
            let numeric = try readNumeric(buffer, from: start)
            buffer.truncate(to: start)
            try appendInteger(numeric, as: to, into: &buffer)
        case .numericToFloat(let to):
            let numeric = try readNumeric(buffer, from: start)
            buffer.truncate(to: start)
            try appendFloat(numeric, as: to, into: &buffer)
        case .timestampToDate:
            try expectLength(8, of: "timestamp", buffer, from: start)
            let micros = buffer.integer(at: start, as: Int64.self)
            buffer.truncate(to: start)
            buffer.append(bigEndian: date(fromMicroseconds: micros))
        case .dateToTimestamp:
            try expectLength(4, of: "date", buffer, from: start)
            let days = buffer.integer(at: start, as: Int32.self)
            buffer.truncate(to: start)
            buffer.append(bigEndian: try microseconds(fromDays: days))
        case .addJSONBVersion:
            buffer.bytes.insert(1, at: start)
        case .dropJSONBVersion:
            guard start < buffer.count, buffer.bytes[start] == 1 else {
                throw PostgresEncodingError(.unsupportedValue, "a jsonb value without version byte 1")
            }
            buffer.bytes.remove(at: start)
        case .checkNameLength:
            let length = buffer.count - start
            guard length < 64 else {
                throw PostgresEncodingError(.outOfRange, "a text of \(length) bytes does not fit name (at most 63 bytes)")
            }
        }
    }

    /// Days since 2000-01-01 for microseconds since 2000-01-01 00:00, as `timestamp_date` does.
    static func date(fromMicroseconds micros: Int64) -> Int32 {
        if micros == .max { return .max }
        if micros == .min { return .min }
        let microsPerDay: Int64 = 86_400_000_000
        var days = micros / microsPerDay
        if micros % microsPerDay < 0 { days -= 1 }
        // The timestamp range (4714 BC – 294276 AD) lies well inside Int32 days.
        return Int32(truncatingIfNeeded: days)
    }

    /// Microseconds at midnight of a day since 2000-01-01, as `date2timestamp` does.
    static func microseconds(fromDays days: Int32) throws -> Int64 {
        if days == .max { return .max }
        if days == .min { return .min }
        let (micros, overflow) = Int64(days).multipliedReportingOverflow(by: 86_400_000_000)
        guard !overflow, micros < PostgresTimestamp.endMicroseconds, micros >= PostgresTimestamp.minimumMicroseconds else {
            throw PostgresEncodingError(.outOfRange, "date \(days) days from 2000-01-01 is out of range for timestamp")
        }
        return micros
    }

    // MARK: - Arrays

    /// Rewrites an array's element type, and converts each element when `step` does something.
    static func convertArray(in buffer: inout PostgresEncodingBuffer, from start: Int,
                             elementType: PostgresDataType, step: Step) throws {
        let length = buffer.count - start
        guard length >= 12 else { throw malformedArray("a header of \(length) bytes") }
        let dimensions = Int(buffer.integer(at: start, as: Int32.self))
        guard (0...6).contains(dimensions), length >= 12 + 8 * dimensions else {
            throw malformedArray("\(dimensions) dimensions in \(length) bytes")
        }
        buffer.patch(bigEndian: Int32(bitPattern: elementType.rawValue), at: start + 8)
        if case .none = step { return }
        var count = dimensions == 0 ? 0 : 1
        for dimension in 0..<dimensions {
            let size = Int(buffer.integer(at: start + 12 + 8 * dimension, as: Int32.self))
            guard size >= 0 else { throw malformedArray("a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw malformedArray("too many elements") }
            count = product
        }
        // Elements may change size: move them out, then write them back converted.
        let elementsStart = start + 12 + 8 * dimensions
        let elements = Array(buffer.bytes[elementsStart...])
        buffer.truncate(to: elementsStart)
        var offset = 0
        for _ in 0..<count {
            guard offset + 4 <= elements.count else { throw malformedArray("truncated elements") }
            let elementLength = elements.withUnsafeBytes { Int(Int32(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: Int32.self))) }
            offset += 4
            if elementLength < 0 {
                buffer.append(bigEndian: Int32(-1))
                continue
            }
            guard offset + elementLength <= elements.count else { throw malformedArray("truncated elements") }
            let lengthOffset = buffer.count
            buffer.append(bigEndian: Int32(0))
            buffer.append(contentsOf: elements[offset..<(offset + elementLength)])
            try convert(step, in: &buffer, from: lengthOffset + 4)
            buffer.patch(bigEndian: Int32(buffer.count - lengthOffset - 4), at: lengthOffset)
            offset += elementLength
        }
        guard offset == elements.count else { throw malformedArray("trailing bytes after the elements") }
    }

    private static func malformedArray(_ detail: String) -> PostgresEncodingError {
        PostgresEncodingError(.unsupportedValue, "a malformed binary array: \(detail)")
    }

    // MARK: - Reading

    static func expectLength(_ expected: Int, of type: String, _ buffer: PostgresEncodingBuffer, from start: Int) throws {
        let length = buffer.count - start
        guard length == expected else {
            throw PostgresEncodingError(.unsupportedValue, "a \(type) value of \(length) bytes (expected \(expected))")
        }
    }

    static func readInteger(_ buffer: PostgresEncodingBuffer, from start: Int, width: IntegerWidth) throws -> Int64 {
        try expectLength(width.size, of: width.sqlName, buffer, from: start)
        switch width {
        case .int2: return Int64(buffer.integer(at: start, as: Int16.self))
        case .int4: return Int64(buffer.integer(at: start, as: Int32.self))
        case .int8: return buffer.integer(at: start, as: Int64.self)
        }
    }

    static func readFloat(_ buffer: PostgresEncodingBuffer, from start: Int, width: FloatWidth) throws -> Double {
        try expectLength(width.size, of: width.sqlName, buffer, from: start)
        switch width {
        case .float4: return Double(Float(bitPattern: buffer.integer(at: start, as: UInt32.self)))
        case .float8: return Double(bitPattern: buffer.integer(at: start, as: UInt64.self))
        }
    }

    static func readNumeric(_ buffer: PostgresEncodingBuffer, from start: Int) throws -> PostgresNumeric {
        do {
            return try buffer.bytes.withUnsafeBytes { raw in
                try PostgresNumeric(from: PostgresCell(bytes: UnsafeRawBufferPointer(rebasing: raw[start...]), type: .numeric))
            }
        } catch {
            throw PostgresEncodingError(.unsupportedValue, "a malformed numeric value: \(error)")
        }
    }

    // MARK: - Writing integers

    static func appendInteger(_ value: Int64, as width: IntegerWidth, into buffer: inout PostgresEncodingBuffer) throws {
        guard width.range.contains(value) else {
            throw PostgresEncodingError(.outOfRange, "\(value) is out of range for \(width.sqlName)")
        }
        switch width {
        case .int2: buffer.append(bigEndian: Int16(truncatingIfNeeded: value))
        case .int4: buffer.append(bigEndian: Int32(truncatingIfNeeded: value))
        case .int8: buffer.append(bigEndian: value)
        }
    }

    /// `dtoi2`/`dtoi4`/`dtoi8`: `rint`, then the range check in floating point.
    static func appendInteger(rounding value: Double, as width: IntegerWidth, into buffer: inout PostgresEncodingBuffer) throws {
        let rounded = value.rounded(.toNearestOrEven)
        // The bounds are powers of two, exact in Double: [min, -min).
        let lower = Double(width.range.lowerBound)
        guard !rounded.isNaN, rounded >= lower, rounded < -lower else {
            throw PostgresEncodingError(.outOfRange, "\(value) is out of range for \(width.sqlName)")
        }
        try appendInteger(Int64(rounded), as: width, into: &buffer)
    }

    /// `numeric_int2`/`_int4`/`_int8`: rounds half away from zero, then checks the range.
    static func appendInteger(_ numeric: PostgresNumeric, as width: IntegerWidth, into buffer: inout PostgresEncodingBuffer) throws {
        guard numeric.kind == .finite else {
            throw PostgresEncodingError(.outOfRange, "cannot convert \(numeric) to \(width.sqlName)")
        }
        guard let value = roundedInteger(numeric), width.range.contains(value) else {
            throw PostgresEncodingError(.outOfRange, "\(numeric) is out of range for \(width.sqlName)")
        }
        try appendInteger(value, as: width, into: &buffer)
    }

    /// The finite numeric rounded half away from zero, or nil past Int64.
    static func roundedInteger(_ numeric: PostgresNumeric) -> Int64? {
        var digits = numeric.digits[...]
        var exponent = numeric.exponent
        var roundUp = false
        if exponent < 0 {
            let fraction = -exponent
            if digits.count >= fraction {
                roundUp = digits[digits.endIndex - fraction] >= 5
                digits = digits.dropLast(fraction)
            } else {
                digits = []
            }
            exponent = 0
        }
        var magnitude: UInt64 = 0
        for digit in digits {
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = plus
        }
        if magnitude > 0 {
            for _ in 0..<exponent {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                magnitude = times
            }
        }
        if roundUp {
            let (plus, overflow) = magnitude.addingReportingOverflow(1)
            guard !overflow else { return nil }
            magnitude = plus
        }
        if numeric.isNegative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
