#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PostgresBinaryConversion {
    // MARK: - Numeric from integers

    /// Powers of 10,000, numeric's digit base.
    private static let groupPowers: [UInt64] = [1, 10_000, 100_000_000, 1_000_000_000_000, 10_000_000_000_000_000]

    /// Appends an integer as `numeric` (display scale 0), without allocating.
    static func appendNumeric(_ value: Int64, into buffer: inout PostgresEncodingBuffer) {
        let magnitude = value.magnitude
        guard magnitude > 0 else {
            buffer.append(bigEndian: Int16(0))  // no digits
            buffer.append(bigEndian: Int16(0))  // weight
            buffer.append(bigEndian: UInt16(0))  // sign: positive
            buffer.append(bigEndian: Int16(0))  // display scale
            return
        }
        var groups = 1
        while groups < groupPowers.count, magnitude >= groupPowers[groups] { groups += 1 }
        // Trailing zero groups are implied by the weight, as the server stores them.
        var lowest = 0
        while lowest < groups - 1, (magnitude / groupPowers[lowest]) % 10_000 == 0 { lowest += 1 }
        buffer.append(bigEndian: Int16(groups - lowest))
        buffer.append(bigEndian: Int16(groups - 1))
        buffer.append(bigEndian: value < 0 ? UInt16(0x4000) : UInt16(0))
        buffer.append(bigEndian: Int16(0))
        for group in stride(from: groups - 1, through: lowest, by: -1) {
            buffer.append(bigEndian: Int16((magnitude / groupPowers[group]) % 10_000))
        }
    }

    // MARK: - Floating point

    /// `float4` → `float8` exactly; `float8` → `float4` as `dtof` does: refused when a finite
    /// value overflows to infinity or a non-zero value underflows to zero.
    static func appendFloat(_ value: Double, as width: FloatWidth, into buffer: inout PostgresEncodingBuffer) throws {
        switch width {
        case .float8:
            buffer.append(bigEndian: value.bitPattern)
        case .float4:
            let narrow = Float(value)
            if narrow.isInfinite, !value.isInfinite {
                throw PostgresEncodingError(.outOfRange, "\(value) is out of range for real (overflow)")
            }
            if narrow == 0, value != 0 {
                throw PostgresEncodingError(.outOfRange, "\(value) is out of range for real (underflow)")
            }
            buffer.append(bigEndian: narrow.bitPattern)
        }
    }

    /// `float8_numeric`/`float4_numeric`: the value printed with `%.15g` (`%.6g`) and read back
    /// as numeric, so a `Double` into a `numeric` column stores what the server's cast stores.
    static func appendNumeric(_ value: Double, significantDigits: Int32, into buffer: inout PostgresEncodingBuffer) throws {
        if value.isNaN { return try PostgresNumeric(kind: .nan).encode(into: &buffer) }
        if value.isInfinite { return try PostgresNumeric(kind: value < 0 ? .negativeInfinity : .infinity).encode(into: &buffer) }
        let text = formatted(value, significantDigits: significantDigits)
        guard let numeric = PostgresNumeric(text) else {
            throw PostgresEncodingError(.unsupportedValue, "\(value) printed as \(text.debugDescription), which is not a number")
        }
        try numeric.encode(into: &buffer)
    }

    /// `printf("%.*g", digits, value)`, with `.` as the decimal point whatever the C locale says.
    static func formatted(_ value: Double, significantDigits: Int32) -> String {
        var characters = [CChar](repeating: 0, count: 48)
        let written = characters.withUnsafeMutableBufferPointer { buffer in
            withVaList([significantDigits, value]) { vsnprintf(buffer.baseAddress, buffer.count, "%.*g", $0) }
        }
        let bytes = characters.prefix(max(0, min(Int(written), characters.count - 1))).map { UInt8(bitPattern: $0) }
        // A locale's decimal separator is the only thing %g prints besides digits, sign and exponent.
        return String(decoding: bytes.map { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "e"): byte
            default: UInt8(ascii: ".")
            }
        }, as: UTF8.self)
    }

    /// `numeric_float8`/`numeric_float4`: the decimal text read as a float (correctly rounded),
    /// refused when a finite value overflows or a non-zero value underflows to zero.
    static func appendFloat(_ numeric: PostgresNumeric, as width: FloatWidth, into buffer: inout PostgresEncodingBuffer) throws {
        let value: Double
        switch numeric.kind {
        case .nan: value = .nan
        case .infinity: value = .infinity
        case .negativeInfinity: value = -.infinity
        case .finite:
            let text = numeric.description
            let parsed: Double?
            switch width {
            case .float4: parsed = Float(text).map(Double.init)
            case .float8: parsed = Double(text)
            }
            guard let parsed, !parsed.isInfinite, parsed != 0 || numeric.digits.isEmpty else {
                throw PostgresEncodingError(.outOfRange, "\(text) is out of range for \(width.sqlName)")
            }
            value = parsed
        }
        switch width {
        case .float4: buffer.append(bigEndian: Float(value).bitPattern)
        case .float8: buffer.append(bigEndian: value.bitPattern)
        }
    }
}
