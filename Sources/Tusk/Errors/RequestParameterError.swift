/// A query parameter of a request could not become a filter, an order, a page or a cursor:
/// it names a field the API does not expose, or its value does not parse. Thrown while parsing,
/// before anything is sent; answer it with HTTP 400.
///
/// ```swift
/// do {
///     let order = try fields.order(request.query["sort"] ?? "-published_at", parameter: "sort")
/// } catch let error as RequestParameterError {
///     // error.parameter == "sort", error.code == .unknownField
/// }
/// ```
///
/// The message quotes at most the first ``maximumQuotedLength`` characters of the offending
/// value, so a huge parameter never fills a log.
public struct RequestParameterError: Error, Sendable, CustomStringConvertible {
    /// What was wrong with the parameter, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownField, invalidValue, outOfRange
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// A field name the API does not allow (or allows, but not for this use: a search on a
        /// number, `null` on a column that is never NULL).
        public static let unknownField = Code(.unknownField)
        /// A value that does not parse: not a number, date, UUID, bool, sort direction or cursor.
        public static let invalidValue = Code(.invalidValue)
        /// A number outside what the API accepts: a negative limit or offset, a limit above the
        /// maximum.
        public static let outOfRange = Code(.outOfRange)
    }

    /// How many characters of a value a message quotes.
    public static let maximumQuotedLength = 40

    /// The query parameter at fault, as the request named it (`sort`, `published_before`), cut to
    /// ``maximumQuotedLength`` characters.
    public var parameter: String
    /// What was wrong.
    public var code: Code
    /// Why, for a developer or an API client.
    public var message: String

    /// Creates an error.
    public init(parameter: String, _ code: Code, _ message: String) {
        self.parameter = String(parameter.prefix(Self.maximumQuotedLength))
        self.code = code
        self.message = message
    }

    /// `invalidValue in parameter "limit": "ten" is not an integer`.
    public var description: String { "\(code) in parameter \(parameter.debugDescription): \(message)" }

    /// `text` as a quoted literal, cut to ``maximumQuotedLength`` characters.
    static func quoted(_ text: String) -> String {
        guard text.count > maximumQuotedLength else { return text.debugDescription }
        return String(text.prefix(maximumQuotedLength)).debugDescription + "… (\(text.utf8.count) bytes)"
    }
}

extension RequestParameterError.Code {
    /// Matches a ``RequestParameterError`` with this code.
    public static func ~= (pattern: RequestParameterError.Code, error: any Error) -> Bool {
        (error as? RequestParameterError)?.code == pattern
    }
}
