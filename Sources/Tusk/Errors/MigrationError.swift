/// A migrator refused to run, or a migration failed.
///
/// Refusals (`duplicateVersion`, `transactionControl`, `invalidMigration`, `checksumMismatch`,
/// `unknownVersion`, `outOfOrder`) are raised before anything runs. A `migrationFailed` names the
/// migration whose transaction rolled back; the migrations before it in the same run stay
/// applied.
///
/// ```swift
/// do {
///     try await migrator.migrate()
/// } catch let error as MigrationError where error.code == .migrationFailed {
///     print(error.version ?? 0, error.name ?? "", error.serverError?.sqlState as Any)
/// }
/// ```
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case duplicateVersion, transactionControl, invalidMigration, checksumMismatch, unknownVersion, outOfOrder, migrationFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// Two migrations given to the migrator share a version. Thrown when the migrator is made.
        public static let duplicateVersion = Code(.duplicateVersion)
        /// A migration script contains a transaction-control statement (`BEGIN`, `COMMIT`,
        /// `ROLLBACK`, `SAVEPOINT`…): each migration runs in a transaction the migrator owns.
        /// Thrown when the migrator is made.
        public static let transactionControl = Code(.transactionControl)
        /// A migration script binds values or holds an invalid identifier (a script cannot carry
        /// parameters). Thrown when the migrator is made.
        public static let invalidMigration = Code(.invalidMigration)
        /// An applied migration's recorded checksum differs from the migration's: its definition
        /// changed after it ran. Nothing was applied.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The database records an applied version the migrator does not know (newer code, or
        /// a migration that was removed). Nothing was applied. See
        /// ``Migrator/ignoresUnknownVersions``.
        public static let unknownVersion = Code(.unknownVersion)
        /// A pending migration's version is lower than an applied one: applying it now would run
        /// migrations out of order. Nothing was applied.
        public static let outOfOrder = Code(.outOfOrder)
        /// A migration failed and its transaction rolled back: nothing of it was applied, and it
        /// was not recorded. ``MigrationError/underlying`` holds the cause (the server's error,
        /// or the error the migration's closure threw).
        public static let migrationFailed = Code(.migrationFailed)
    }

    /// What went wrong.
    public var code: Code
    /// A readable explanation naming the migration.
    public var message: String
    /// The version of the migration concerned.
    public var version: Int?
    /// The name of the migration concerned, when the migrator knows it.
    public var name: String?
    /// The error behind this one.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, message: String, version: Int? = nil, name: String? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.version = version
        self.name = name
        self.underlying = underlying
    }

    /// The server's error behind a failed migration, if any: the statement's own, or the one
    /// behind a refused commit.
    public var serverError: PostgresError? {
        (underlying as? PostgresError) ?? (underlying as? SessionError)?.serverError
    }

    /// `migrationFailed: migration 3 "add_tags" failed … caused by: …`.
    public var description: String {
        var text = "\(code): \(message)"
        if let underlying { text += " caused by: \(underlying)" }
        return text
    }
}

extension MigrationError.Code {
    /// Matches a ``MigrationError`` with this code.
    public static func ~= (pattern: MigrationError.Code, error: any Error) -> Bool {
        (error as? MigrationError)?.code == pattern
    }
}
