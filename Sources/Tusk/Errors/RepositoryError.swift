/// A repository call was given something it cannot turn into SQL — an unknown column, a sort
/// direction that is not asc/desc, upsert columns that are not unique — or asked for something
/// the model cannot do. Thrown before anything is sent.
public struct RepositoryError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownColumn, invalidArgument, notUnique, unsupported, relationNotLoaded
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// A column name or key path that is not a column of the model.
        public static let unknownColumn = Code(.unknownColumn)
        /// An argument out of range: a negative limit, an unknown sort direction, …
        public static let invalidArgument = Code(.invalidArgument)
        /// Upsert `matching:` columns that are not a primary key or unique constraint.
        public static let notUnique = Code(.notUnique)
        /// The operation needs something the model does not have (a single-column key, …).
        public static let unsupported = Code(.unsupported)
        /// A ``Related`` value read before its relation was loaded.
        public static let relationNotLoaded = Code(.relationNotLoaded)
    }

    /// What went wrong.
    public var code: Code
    /// A readable explanation naming the model and the offending value.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `unknownColumn: users has no column "passwd"`.
    public var description: String { "\(code): \(message)" }
}

extension RepositoryError.Code {
    /// Matches a ``RepositoryError`` with this code.
    public static func ~= (pattern: RepositoryError.Code, error: any Error) -> Bool {
        (error as? RepositoryError)?.code == pattern
    }
}
