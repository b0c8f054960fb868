/// A value read from PostgreSQL could not be decoded into the requested Swift type.
///
/// The error names the column, the Swift type and the PostgreSQL type:
/// `typeMismatch: column "age" (int4) cannot be decoded as String`.
public struct PostgresDecodingError: Error, Sendable, Hashable {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case typeMismatch, unexpectedNull, invalidValue, outOfRange, missingColumn, noRows
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// The PostgreSQL type cannot be decoded as the Swift type.
        public static let typeMismatch = Code(.typeMismatch)
        /// The value is NULL but the Swift type is not optional.
        public static let unexpectedNull = Code(.unexpectedNull)
        /// The bytes are not a valid value of their type.
        public static let invalidValue = Code(.invalidValue)
        /// The value does not fit the Swift type (an int8 into `Int32`, a numeric into `Decimal`).
        public static let outOfRange = Code(.outOfRange)
        /// The result has no column for a property being decoded.
        public static let missingColumn = Code(.missingColumn)
        /// A single row was expected but the result has none.
        public static let noRows = Code(.noRows)
    }

    /// What went wrong.
    public var code: Code
    /// The name of the Swift type being decoded.
    public var swiftType: String
    /// The PostgreSQL type of the column, when known.
    public var postgresType: PostgresDataType?
    /// The column name, when known.
    public var column: String?
    /// The column's 0-based index, when known.
    public var columnIndex: Int?
    /// A readable explanation.
    public var message: String

    /// Creates an error.
    public init(
        _ code: Code,
        swiftType: Any.Type,
        postgresType: PostgresDataType?,
        column: String? = nil,
        columnIndex: Int? = nil,
        message: String
    ) {
        self.code = code
        self.swiftType = String(reflecting: swiftType)
        self.postgresType = postgresType
        self.column = column
        self.columnIndex = columnIndex
        self.message = message
    }

    /// A copy with the column filled in, as Tusk does when a cell decoder throws.
    func at(column: String?, index: Int?) -> PostgresDecodingError {
        var copy = self
        if copy.column == nil { copy.column = column }
        if copy.columnIndex == nil { copy.columnIndex = index }
        return copy
    }
}

extension PostgresDecodingError: CustomStringConvertible {
    /// `typeMismatch: column "age" (int4) as Swift.String: <message>`.
    public var description: String {
        var text = "\(code):"
        if let column { text += " column \"\(column)\"" } else if let columnIndex { text += " column #\(columnIndex)" }
        if let postgresType { text += " (\(postgresType))" }
        text += " as \(swiftType): \(message)"
        return text
    }
}
