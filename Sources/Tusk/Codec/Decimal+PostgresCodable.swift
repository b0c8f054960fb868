#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Decimal: PostgresEncodable {
    /// `numeric`.
    public static var postgresType: PostgresDataType { .numeric }

    /// Appends the exact value as `numeric`; `Decimal.nan` becomes `NaN`.
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        try PostgresNumeric(self).encode(into: &buffer)
    }
}

extension Decimal: PostgresDecodable {
    /// Decodes `numeric` (and integers) exactly.
    ///
    /// - Throws: ``PostgresDecodingError/Code/outOfRange`` when the value has more significant
    ///   digits or a larger exponent than `Decimal` holds (about 38 digits, 10^±127), or is
    ///   ±Infinity; decode as ``PostgresNumeric`` or `String` to read such values exactly.
    public init(from cell: PostgresCell) throws {
        let numeric = try PostgresNumeric(from: cell)
        guard let decimal = Decimal(exactly: numeric) else {
            throw PostgresDecodingError(.outOfRange, swiftType: Decimal.self, postgresType: cell.type,
                                        message: "numeric \(numeric) does not fit Decimal exactly; decode as PostgresNumeric or String")
        }
        self = decimal
    }
}

extension Decimal: PostgresArrayElement {
    /// `numeric[]`.
    public static var postgresArrayType: PostgresDataType { .numericArray }
}

extension PostgresNumeric {
    /// The exact value of a `Decimal`.
    public init(_ decimal: Decimal) {
        if decimal.isNaN {
            self.init(kind: .nan)
            return
        }
        let significand = decimal.significand.magnitude.description
        let digits = significand.utf8.map { $0 &- UInt8(ascii: "0") }
        let exponent = decimal.exponent
        self.init(kind: .finite, isNegative: decimal.sign == .minus, digits: digits, exponent: exponent, scale: -exponent)
    }
}

extension Decimal {
    /// The `Decimal` equal to `numeric`, or nil when `Decimal` cannot hold it exactly.
    public init?(exactly numeric: PostgresNumeric) {
        switch numeric.kind {
        case .nan: self = .nan; return
        case .infinity, .negativeInfinity: return nil
        case .finite: break
        }
        var digits = numeric.digits[...]
        var exponent = numeric.exponent
        while let last = digits.last, last == 0 {
            digits = digits.dropLast()
            exponent += 1
        }
        if digits.isEmpty {
            self = 0
            return
        }
        // Most values have at most 19 digits: their significand fits a UInt64, and Decimal holds
        // it exactly, with no detour through text.
        if digits.count <= 19, (-128...127).contains(exponent) {
            var significand: UInt64 = 0
            var fits = true
            for digit in digits {
                let (times10, overflow) = significand.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times10.addingReportingOverflow(UInt64(digit))
                if overflow || carry || digit > 9 { fits = false; break }
                significand = sum
            }
            if fits {
                let value = Decimal(sign: numeric.isNegative ? .minus : .plus, exponent: exponent, significand: Decimal(significand))
                if value.exponent == exponent {
                    self = value
                    return
                }
            }
        }
        // Decimal's significand is a 128-bit integer; its exponent an Int8.
        var significandDigits = Array(digits)
        while exponent > 127, significandDigits.count < 39 {
            significandDigits.append(0)
            exponent -= 1
        }
        guard significandDigits.count <= 39, (-128...127).contains(exponent) else { return nil }
        let text = String(decoding: significandDigits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        guard let significand = Decimal(string: text), significand.exponent == 0,
              significand.significand.description == text
        else {
            // Past 2^128 or rounded: not exact.
            return nil
        }
        let value = Decimal(sign: numeric.isNegative ? .minus : .plus, exponent: exponent, significand: significand)
        guard value.exponent == exponent, value.significand.magnitude.description == text else { return nil }
        self = value
    }
}
