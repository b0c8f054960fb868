import Foundation

/// A value a request filter can read from a query parameter's text: the type of a key path in
/// ``RequestFields`` decides how its parameters parse.
///
/// Tusk provides it for `String`, `Bool` (`true`/`false`/`1`/`0`), the integer types, `Double`,
/// `Float`, `Decimal`, `UUID` and `Date` (ISO 8601: `2024-05-01T12:00:00Z`, with optional
/// fractional seconds, or a bare `2024-05-01`, midnight UTC). An enum with raw values gets it by
/// declaring the conformance:
///
/// ```swift
/// enum Status: String, Codable, PostgresCodable, PostgresArrayElement, RequestValue { case draft, published }
/// ```
public protocol RequestValue: PostgresArrayElement {
    /// The value `text` spells, or nil when it spells none.
    init?(requestText text: String)
    /// What a valid value looks like, for error messages: `an integer`, `a date (ISO 8601)`.
    static var requestTextDescription: String { get }
}

extension RequestValue where Self: RawRepresentable, RawValue: RequestValue {
    /// The case whose raw value `text` spells.
    public init?(requestText text: String) {
        guard let raw = RawValue(requestText: text) else { return nil }
        self.init(rawValue: raw)
    }

    /// `one of \(Self.self)'s values`.
    public static var requestTextDescription: String { "one of \(Self.self)'s values" }
}

extension String: RequestValue {
    /// The text itself; text with a NUL character (which PostgreSQL cannot store) is none.
    public init?(requestText text: String) {
        guard !text.utf8.contains(0) else { return nil }
        self = text
    }

    /// `text without NUL characters`.
    public static var requestTextDescription: String { "text without NUL characters" }
}

extension Bool: RequestValue {
    /// `true`/`false`/`1`/`0`, in any case.
    public init?(requestText text: String) {
        switch text.lowercased() {
        case "true", "1": self = true
        case "false", "0": self = false
        default: return nil
        }
    }

    /// `true or false`.
    public static var requestTextDescription: String { "true or false" }
}

extension Int: RequestValue {
    /// A decimal integer in range.
    public init?(requestText text: String) { self.init(text) }
    /// `an integer`.
    public static var requestTextDescription: String { "an integer" }
}

extension Int16: RequestValue {
    /// A decimal integer in range.
    public init?(requestText text: String) { self.init(text) }
    /// `an integer from -32768 to 32767`.
    public static var requestTextDescription: String { "an integer from \(Int16.min) to \(Int16.max)" }
}

extension Int32: RequestValue {
    /// A decimal integer in range.
    public init?(requestText text: String) { self.init(text) }
    /// `an integer from -2147483648 to 2147483647`.
    public static var requestTextDescription: String { "an integer from \(Int32.min) to \(Int32.max)" }
}

extension Int64: RequestValue {
    /// A decimal integer in range.
    public init?(requestText text: String) { self.init(text) }
    /// `an integer`.
    public static var requestTextDescription: String { "an integer" }
}

extension Double: RequestValue {
    /// A finite decimal number (`nan` and `inf` are none).
    public init?(requestText text: String) {
        guard let value = Double(text), value.isFinite else { return nil }
        self = value
    }

    /// `a finite number`.
    public static var requestTextDescription: String { "a finite number" }
}

extension Float: RequestValue {
    /// A finite decimal number (`nan` and `inf` are none).
    public init?(requestText text: String) {
        guard let value = Float(text), value.isFinite else { return nil }
        self = value
    }

    /// `a finite number`.
    public static var requestTextDescription: String { "a finite number" }
}

extension Decimal: RequestValue {
    /// A decimal number, all of the text: `-12.50`, `1e3` (`12abc` and `1-2` are none).
    public init?(requestText text: String) {
        // Decimal(string:) stops at the first character it cannot read; a request's "12abc"
        // must not quietly become 12, so the whole text must have the shape of a number.
        guard Self.isDecimalLiteral(text), let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
              !value.isNaN
        else { return nil }
        self = value
    }

    /// `[+-]digits[.digits][e[+-]digits]`, with at least one digit before the exponent.
    private static func isDecimalLiteral(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        func digits() -> Int {
            let count = scalars.prefix { ("0"..."9").contains($0) }.count
            scalars = scalars.dropFirst(count)
            return count
        }
        if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
        var mantissa = digits()
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }

    /// `a decimal number`.
    public static var requestTextDescription: String { "a decimal number" }
}

extension UUID: RequestValue {
    /// `E621E1F8-C36C-495A-93FC-0C247A3E6E5F`, in any case.
    public init?(requestText text: String) { self.init(uuidString: text) }
    /// `a UUID`.
    public static var requestTextDescription: String { "a UUID" }
}

extension Date: RequestValue {
    /// ISO 8601 with a time zone (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.250+02:00`), or a
    /// bare date, read as midnight UTC.
    public init?(requestText text: String) {
        // Longest form first; each style is a value, so nothing is shared between threads.
        let styles: [Date.ISO8601FormatStyle] = [
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle(),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for style in styles {
            if let date = try? style.parse(text) {
                self = date
                return
            }
        }
        return nil
    }

    /// `a date (ISO 8601)`.
    public static var requestTextDescription: String { "a date (ISO 8601, such as 2024-05-01T12:00:00Z)" }
}
