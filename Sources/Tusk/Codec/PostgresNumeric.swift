/// An exact PostgreSQL `numeric` of any precision, kept as its decimal text.
///
/// Use it where `Decimal`'s 38 digits are not enough, or to read `numeric` exactly as the server
/// prints it:
///
/// ```swift
/// let total = try await session.scalar("SELECT sum(amount) FROM ledger", as: PostgresNumeric.self)
/// print(total)   // "123456789012345678901234567890.1234567890"
/// ```
public struct PostgresNumeric: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    enum Kind: Hashable, Sendable {
        case finite, nan, infinity, negativeInfinity
    }

    let kind: Kind
    let isNegative: Bool
    /// Decimal digits of the unscaled value, without leading zeros; empty for zero.
    let digits: [UInt8]
    /// The value is `digits × 10^exponent`.
    let exponent: Int
    /// Digits shown after the decimal point (PostgreSQL's display scale).
    let scale: Int

    init(kind: Kind, isNegative: Bool = false, digits: [UInt8] = [], exponent: Int = 0, scale: Int = 0) {
        self.kind = kind
        self.isNegative = isNegative && kind == .finite && !digits.isEmpty
        var trimmed = digits[...]
        while let first = trimmed.first, first == 0 { trimmed = trimmed.dropFirst() }
        self.digits = Array(trimmed)
        self.exponent = trimmed.isEmpty ? 0 : exponent
        self.scale = max(0, scale)
    }

    /// Parses decimal text: `"-12.50"`, `"1e-30"`, `"NaN"`, `"Infinity"`, `"-Infinity"`.
    /// Returns nil for anything else, and for values PostgreSQL's `numeric` cannot hold;
    /// ``init(parsing:)`` says which.
    public init?(_ text: String) {
        guard let parsed = try? PostgresNumeric(parsing: text) else { return nil }
        self = parsed
    }

    /// Parses decimal text as ``init(_:)-(String)`` does, and says what is wrong when it cannot.
    ///
    /// ```swift
    /// let price = try PostgresNumeric(parsing: "12.50")
    /// let tiny = try PostgresNumeric(parsing: "1e-30")
    /// ```
    ///
    /// - Throws: ``PostgresEncodingError/Code/outOfRange`` when the value lies beyond what
    ///   PostgreSQL's `numeric` holds: 131,072 digits before the decimal point and 16,383 after
    ///   (`"1e999999999999"`, `"1e-20000"`); ``PostgresEncodingError/Code/unsupportedValue`` when
    ///   the text is not a number.
    public init(parsing text: String) throws {
        switch text {
        case "NaN": self.init(kind: .nan); return
        case "Infinity", "+Infinity": self.init(kind: .infinity); return
        case "-Infinity": self.init(kind: .negativeInfinity); return
        default: break
        }
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        var writtenExponent = 0
        while let byte = utf8.first {
            utf8 = utf8.dropFirst()
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E"), !digits.isEmpty {
                guard let exponent = Self.parseExponent(utf8) else { throw Self.notANumber(text) }
                writtenExponent = exponent
                break
            } else {
                throw Self.notANumber(text)
            }
        }
        guard !digits.isEmpty else { throw Self.notANumber(text) }
        // value = digits × 10^exponent. Neither subtraction can overflow: the written exponent is
        // capped far below Int.max, and a string has fewer digits than that.
        let exponent = writtenExponent - fractionDigits
        let scale = max(0, -exponent)
        guard scale <= Self.maximumScale else {
            throw PostgresEncodingError(.outOfRange, "numeric \(Self.preview(text)) has \(scale) digits after the decimal point; PostgreSQL's numeric holds at most \(Self.maximumScale)")
        }
        let significantDigits = digits.count - (digits.firstIndex { $0 != 0 } ?? digits.count)
        let integerDigits = significantDigits + exponent
        guard significantDigits == 0 || integerDigits <= Self.maximumIntegerDigits else {
            throw PostgresEncodingError(.outOfRange, "numeric \(Self.preview(text)) has \(integerDigits) digits before the decimal point; PostgreSQL's numeric holds at most \(Self.maximumIntegerDigits)")
        }
        self.init(kind: .finite, isNegative: negative, digits: digits, exponent: exponent, scale: scale)
    }

    /// Whether this is `NaN`.
    public var isNaN: Bool { kind == .nan }

    /// The decimal text, with as many fraction digits as the value's scale (`"12.50"`).
    public var description: String {
        switch kind {
        case .nan: return "NaN"
        case .infinity: return "Infinity"
        case .negativeInfinity: return "-Infinity"
        case .finite: break
        }
        // Value = digits × 10^exponent; print it with `scale` fraction digits.
        let digitText = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        var integerPart: [Character]
        var fractionPart: [Character]
        if exponent >= 0 {
            integerPart = digitText + Array(repeating: "0", count: exponent)
            fractionPart = []
        } else {
            let fractionCount = -exponent
            if digitText.count > fractionCount {
                integerPart = Array(digitText.prefix(digitText.count - fractionCount))
                fractionPart = Array(digitText.suffix(fractionCount))
            } else {
                integerPart = []
                fractionPart = Array(repeating: "0", count: fractionCount - digitText.count) + digitText
            }
        }
        if integerPart.isEmpty { integerPart = ["0"] }
        let shownScale = max(scale, 0)
        if fractionPart.count > shownScale {
            // Only zeros can lie past the display scale when the value came from PostgreSQL; keep
            // any non-zero digit rather than hide it.
            while fractionPart.count > shownScale, fractionPart.last == "0" { fractionPart.removeLast() }
        } else {
            fractionPart += Array(repeating: "0", count: shownScale - fractionPart.count)
        }
        var text = isNegative ? "-" : ""
        text += String(integerPart)
        if !fractionPart.isEmpty { text += "." + String(fractionPart) }
        return text
    }

    // MARK: - Internal

    /// PostgreSQL's limits: a base-10000 weight up to 32767 (131,072 decimal digits before the
    /// point) and a display scale of 14 bits (`NUMERIC_DSCALE_MAX`, 16,383).
    static let maximumIntegerDigits = 4 * (Int(Int16.max) + 1)
    static let maximumScale = 0x3FFF

    /// Anything past this is out of range whatever the digits; capping keeps the arithmetic on
    /// exponents from overflowing (`1e9223372036854775807`, `1e-9223372036854775808`).
    private static let exponentCap = 1 << 56

    /// The exponent after `e`: an optional sign and at least one digit, nothing else; saturated
    /// at ±``exponentCap``.
    private static func parseExponent(_ text: Substring.UTF8View) -> Int? {
        var rest = text
        var negative = false
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        var magnitude = 0
        for byte in rest {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            magnitude = min(magnitude * 10 + Int(byte - UInt8(ascii: "0")), exponentCap)
        }
        return negative ? -magnitude : magnitude
    }

    private static func notANumber(_ text: String) -> PostgresEncodingError {
        PostgresEncodingError(.unsupportedValue, "\(preview(text).debugDescription) is not a numeric value")
    }

    /// The start of `text`, so that an error about a million-digit string stays short.
    private static func preview(_ text: String) -> String {
        text.utf8.count <= 32 ? text : String(text.prefix(32)) + "… (\(text.utf8.count) bytes)"
    }
}

extension PostgresNumeric: PostgresEncodable {
    /// `numeric`.
    public static var postgresType: PostgresDataType { .numeric }

    private static let signPositive: UInt16 = 0x0000
    private static let signNegative: UInt16 = 0x4000
    private static let signNaN: UInt16 = 0xC000
    private static let signInfinity: UInt16 = 0xD000
    private static let signNegativeInfinity: UInt16 = 0xF000

    /// Appends `numeric`'s binary form: base-10000 digits with weight, sign and display scale.
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        switch kind {
        case .nan: return Self.appendSpecial(Self.signNaN, into: &buffer)
        case .infinity: return Self.appendSpecial(Self.signInfinity, into: &buffer)
        case .negativeInfinity: return Self.appendSpecial(Self.signNegativeInfinity, into: &buffer)
        case .finite: break
        }
        // Digit j (from the left) has decimal power p = (count-1-j) + exponent; it belongs to the
        // base-10000 group floor(p/4) with multiplier 10^(p mod 4).
        var groups: [Int: Int] = [:]
        var highest = Int.min
        var lowest = Int.max
        for (j, digit) in digits.enumerated() where digit != 0 {
            let power = digits.count - 1 - j + exponent
            let group = power >= 0 ? power / 4 : -((-power + 3) / 4)
            let within = power - group * 4
            groups[group, default: 0] += Int(digit) * [1, 10, 100, 1000][within]
            highest = max(highest, group)
            lowest = min(lowest, group)
        }
        let scale = max(self.scale, 0)
        guard scale <= 0x3FFF else {
            throw PostgresEncodingError(.outOfRange, "numeric scale \(scale) exceeds PostgreSQL's limit of 16383")
        }
        if groups.isEmpty {
            buffer.append(bigEndian: Int16(0))
            buffer.append(bigEndian: Int16(0))
            buffer.append(bigEndian: Self.signPositive)
            buffer.append(bigEndian: Int16(scale))
            return
        }
        // The value's own digits are never printed here: one past the range could be 10^12 long.
        guard highest <= Int(Int16.max), lowest >= Int(Int16.min) else {
            throw PostgresEncodingError(.outOfRange, "numeric with base-10000 weight \(highest) exceeds PostgreSQL's numeric range")
        }
        // PostgreSQL reads the digit count as unsigned: the widest value (weight 32767, scale
        // 16383) has 36,864 base-10000 digits, more than Int16 holds.
        let count = highest - lowest + 1
        guard count <= Int(UInt16.max) else {
            throw PostgresEncodingError(.outOfRange, "numeric with \(count) base-10000 digits exceeds PostgreSQL's numeric range")
        }
        buffer.append(bigEndian: UInt16(count))
        buffer.append(bigEndian: Int16(highest))
        buffer.append(bigEndian: isNegative ? Self.signNegative : Self.signPositive)
        buffer.append(bigEndian: Int16(scale))
        for group in stride(from: highest, through: lowest, by: -1) {
            buffer.append(bigEndian: Int16(groups[group] ?? 0))
        }
    }

    private static func appendSpecial(_ sign: UInt16, into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: Int16(0))
        buffer.append(bigEndian: Int16(0))
        buffer.append(bigEndian: sign)
        buffer.append(bigEndian: Int16(0))
    }
}

extension PostgresNumeric: PostgresDecodable {
    /// Decodes `numeric` exactly; also `int2`, `int4` and `int8`.
    public init(from cell: PostgresCell) throws {
        switch cell.type {
        case .int2, .int4, .int8:
            let value = try cell.decodeInteger(as: Int64.self)
            guard let parsed = PostgresNumeric(String(value)) else { throw cell.invalid(PostgresNumeric.self, "integer") }
            self = parsed
            return
        case .numeric:
            break
        default:
            throw cell.typeMismatch(PostgresNumeric.self)
        }
        guard cell.count >= 8 else { throw cell.invalid(PostgresNumeric.self, "numeric header of \(cell.count) bytes") }
        // The digit count is unsigned on the wire (numeric_send/numeric_recv): past 32,767 for
        // the widest values.
        let count = Int(cell.integer(at: 0, as: UInt16.self))
        let weight = Int(cell.integer(at: 2, as: Int16.self))
        let sign = cell.integer(at: 4, as: UInt16.self)
        let scale = Int(cell.integer(at: 6, as: Int16.self))
        guard cell.count == 8 + 2 * count else {
            throw cell.invalid(PostgresNumeric.self, "numeric with \(count) digits in \(cell.count) bytes")
        }
        switch sign {
        case Self.signNaN: self.init(kind: .nan); return
        case Self.signInfinity: self.init(kind: .infinity); return
        case Self.signNegativeInfinity: self.init(kind: .negativeInfinity); return
        case Self.signPositive, Self.signNegative: break
        default: throw cell.invalid(PostgresNumeric.self, "numeric sign 0x\(String(sign, radix: 16))")
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(count * 4)
        for index in 0..<count {
            let group = Int(cell.integer(at: 8 + 2 * index, as: Int16.self))
            guard (0..<10_000).contains(group) else { throw cell.invalid(PostgresNumeric.self, "numeric digit \(group)") }
            digits.append(UInt8(group / 1000))
            digits.append(UInt8(group / 100 % 10))
            digits.append(UInt8(group / 10 % 10))
            digits.append(UInt8(group % 10))
        }
        // The last group has power 10000^(weight - (count - 1)).
        let exponent = 4 * (weight - (count - 1))
        self.init(kind: .finite, isNegative: sign == Self.signNegative, digits: digits, exponent: exponent, scale: scale)
    }
}

extension PostgresNumeric: PostgresArrayElement {
    /// `numeric[]`.
    public static var postgresArrayType: PostgresDataType { .numericArray }
}
