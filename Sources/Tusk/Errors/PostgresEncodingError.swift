/// A value could not be sent to PostgreSQL: it has no faithful binary representation, or the
/// statement would exceed a protocol limit. Nothing was sent.
///
/// ```swift
/// do {
///     try await session.execute("INSERT INTO notes (body) VALUES (\("a\u{0}b"))")
/// } catch let error as PostgresEncodingError where error.code == .nulInText {
///     // PostgreSQL text cannot hold NUL; libpq would silently cut the string there
/// }
/// ```
public struct PostgresEncodingError: Error, Sendable, Hashable {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case nulInText, outOfRange, valueTooLarge, tooManyParameters, unsupportedValue, invalidIdentifier, typeMismatch
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// A string contains the NUL character, which PostgreSQL text cannot store.
        public static let nulInText = Code(.nulInText)
        /// A value lies outside the PostgreSQL type's range (a date past year 294276, a Decimal NaN
        /// in an array, …).
        public static let outOfRange = Code(.outOfRange)
        /// A single value exceeds PostgreSQL's 1 GiB field limit.
        public static let valueTooLarge = Code(.valueTooLarge)
        /// A statement binds more than 65,535 parameters, the protocol's limit.
        public static let tooManyParameters = Code(.tooManyParameters)
        /// An `Encodable` value has a shape Tusk cannot bind (e.g. a nested container outside a
        /// JSON column), or text is not the number it should spell
        /// (``PostgresNumeric/init(parsing:)``).
        public static let unsupportedValue = Code(.unsupportedValue)
        /// An identifier (table, column, schema name) is empty or contains NUL.
        public static let invalidIdentifier = Code(.invalidIdentifier)
        /// A value's type cannot be stored in its column's type (a UUID into an `integer` column,
        /// a Bool into a `date`): refused before anything is sent. ``PostgresEncodingError/valueType``
        /// and ``PostgresEncodingError/columnType`` name both types.
        public static let typeMismatch = Code(.typeMismatch)
    }

    /// What went wrong.
    public var code: Code
    /// A readable explanation.
    public var message: String
    /// The column or key the value was bound for, when known.
    public var column: String?
    /// The PostgreSQL type the value was encoded as, when the error is about a column's type.
    public var valueType: PostgresDataType?
    /// The column's type as the server spells it (`smallint`, `character varying(20)`, a domain's
    /// name), when the error is about a column's type.
    public var columnType: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, column: String? = nil,
                valueType: PostgresDataType? = nil, columnType: String? = nil) {
        self.code = code
        self.message = message
        self.column = column
        self.valueType = valueType
        self.columnType = columnType
    }
}

extension PostgresEncodingError: CustomStringConvertible {
    /// `nulInText: <message> (column body)`.
    public var description: String {
        if let column { return "\(code): \(message) (column \(column))" }
        return "\(code): \(message)"
    }
}
