/// A five-character SQLSTATE code reported by PostgreSQL, such as `23505` (unique violation).
///
/// Common codes have names, so errors can be matched without parsing strings:
///
/// ```swift
/// do {
///     try await session.execute("INSERT INTO users (email) VALUES (\(email))")
/// } catch SQLState.uniqueViolation {
///     // the email is taken
/// } catch SQLState.Class.integrityConstraintViolation {
///     // any other constraint
/// }
/// ```
///
/// The full list is PostgreSQL's Appendix A; codes without a name still work through
/// `SQLState(rawValue:)`.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five-character code, e.g. `"23505"`.
    public let rawValue: String

    /// Creates a code from its five characters.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The two-character class of the code (`"23"` for every integrity constraint violation).
    public var `class`: Class {
        Class(rawValue: String(rawValue.prefix(2)))
    }

    /// The code, e.g. `23505`.
    public var description: String { rawValue }

    /// Whether re-running the whole transaction may succeed: serialization failure or deadlock.
    public var isTransactionRetryable: Bool {
        self == .serializationFailure || self == .deadlockDetected
    }

    /// The class of an SQLSTATE code: its first two characters.
    public struct Class: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The two-character class, e.g. `"23"`.
        public let rawValue: String

        /// Creates a class from its two characters.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The class, e.g. `23`.
        public var description: String { rawValue }

        /// Class 08: connection exception.
        public static let connectionException = Class(rawValue: "08")
        /// Class 22: data exception (bad value, overflow, invalid text).
        public static let dataException = Class(rawValue: "22")
        /// Class 23: integrity constraint violation.
        public static let integrityConstraintViolation = Class(rawValue: "23")
        /// Class 25: invalid transaction state.
        public static let invalidTransactionState = Class(rawValue: "25")
        /// Class 28: invalid authorization specification.
        public static let invalidAuthorizationSpecification = Class(rawValue: "28")
        /// Class 40: transaction rollback (serialization failure, deadlock).
        public static let transactionRollback = Class(rawValue: "40")
        /// Class 42: syntax error or access rule violation.
        public static let syntaxErrorOrAccessRuleViolation = Class(rawValue: "42")
        /// Class 53: insufficient resources.
        public static let insufficientResources = Class(rawValue: "53")
        /// Class 57: operator intervention (cancel, shutdown).
        public static let operatorIntervention = Class(rawValue: "57")
        /// Class XX: internal error.
        public static let internalError = Class(rawValue: "XX")
    }
}

extension SQLState {
    /// Matches an error whose SQLSTATE is this code: `catch SQLState.uniqueViolation`.
    public static func ~= (pattern: SQLState, error: any Error) -> Bool {
        (error as? PostgresError)?.sqlState == pattern
    }
}

extension SQLState.Class {
    /// Matches an error whose SQLSTATE is in this class: `catch SQLState.Class.dataException`.
    public static func ~= (pattern: SQLState.Class, error: any Error) -> Bool {
        (error as? PostgresError)?.sqlState.class == pattern
    }
}
