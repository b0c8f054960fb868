/// A session could not do what was asked: it already ended, its transaction failed, a flush
/// failed, or a commit's outcome is unknown.
///
/// ```swift
/// do {
///     try await pool.withSession { session in … }
/// } catch let error as SessionError where error.code == .commitOutcomeUnknown {
///     // the connection dropped during COMMIT and the server could not say what became of it
/// }
/// ```
public struct SessionError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case ended, transactionFailed, flushFailed, beginFailed, commitFailed, commitOutcomeUnknown, readOnly, invalidUsage
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// The session was used after it committed or rolled back.
        public static let ended = Code(.ended)
        /// An earlier statement failed, so the transaction can only roll back.
        public static let transactionFailed = Code(.transactionFailed)
        /// A pending change failed during a flush; ``SessionError/change`` says which.
        public static let flushFailed = Code(.flushFailed)
        /// `BEGIN` failed: nothing of the session ran. ``SessionError/underlying`` holds the
        /// server's error.
        public static let beginFailed = Code(.beginFailed)
        /// The server refused the `COMMIT` (a serialization failure, a deferred constraint): the
        /// transaction rolled back and nothing was committed. ``SessionError/underlying`` holds
        /// the server's error; ``RetryPolicy`` retries the retryable ones.
        public static let commitFailed = Code(.commitFailed)
        /// The session was asked for something a session does not do: a transaction-control
        /// statement (`BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`…) sent as a statement, or
        /// pending writes in an autocommit session.
        public static let invalidUsage = Code(.invalidUsage)
        /// The connection was lost while COMMIT was in flight and its outcome could not be learned
        /// from the server (see ``PoolConfiguration/resolvesLostCommits``): the transaction may or
        /// may not have committed. Never retried automatically.
        public static let commitOutcomeUnknown = Code(.commitOutcomeUnknown)
        /// A write was attempted in a read-only session.
        public static let readOnly = Code(.readOnly)
    }

    /// What went wrong.
    public var code: Code
    /// A readable explanation.
    public var message: String
    /// For a failed flush: the pending change that failed (`insert into "users" #3`) and its
    /// position among the flushed changes.
    public var change: String?
    /// For a failed flush: the 0-based position of the failed change.
    public var changeIndex: Int?
    /// The error behind this one (the server's error for a failed flush, the connection error for
    /// an unknown commit outcome).
    public var underlying: (any Error & Sendable)?
    /// For `transactionFailed`: the connection was lost while `COMMIT` was in flight, and the
    /// server's own transaction status, asked over a new connection, says the transaction
    /// aborted. Nothing was committed, so running it again is safe: ``RetryPolicy`` does.
    public var abortedWhenTheConnectionWasLost: Bool

    /// Creates an error.
    public init(_ code: Code, message: String, change: String? = nil, changeIndex: Int? = nil,
                underlying: (any Error & Sendable)? = nil, abortedWhenTheConnectionWasLost: Bool = false) {
        self.abortedWhenTheConnectionWasLost = abortedWhenTheConnectionWasLost
        self.code = code
        self.message = message
        self.change = change
        self.changeIndex = changeIndex
        self.underlying = underlying
    }

    /// The connection went down while COMMIT was in flight: whether it committed is unknowable here.
    static func commitOutcomeUnknown(after lost: ConnectionError) -> SessionError {
        SessionError(.commitOutcomeUnknown,
                     message: "the connection was lost while COMMIT was in flight; the transaction may or may not have committed",
                     underlying: lost)
    }

    /// The server's error behind a failed flush or statement, if any.
    public var serverError: PostgresError? { underlying as? PostgresError }

    /// `flushFailed: … (change 3: insert into "users") caused by: …`.
    public var description: String {
        var text = "\(code): \(message)"
        if let change { text += " (change \(changeIndex.map(String.init) ?? "?"): \(change))" }
        if let underlying { text += " caused by: \(underlying)" }
        return text
    }
}

extension SessionError.Code {
    /// Matches a ``SessionError`` with this code.
    public static func ~= (pattern: SessionError.Code, error: any Error) -> Bool {
        (error as? SessionError)?.code == pattern
    }
}
