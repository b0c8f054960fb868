/// The life of one session's transaction, as a pure state machine: events in, actions out, no
/// I/O. ``Session`` feeds it what happened (a statement succeeded or failed, and in which state
/// the server's transaction was left) and performs what it returns. It alone decides whether the
/// session may run a statement, what `commit()` must send, and whether a `ROLLBACK` is needed.
///
/// The states:
///
/// ```
/// notBegun ──statement──▶ active ──commit──▶ committing ──COMMIT──▶ committed
///    │                     │  ▲                  │  └─tag ROLLBACK / error─▶ rolledBack
///    │          failure    ▼  │ savepoint        └─connection lost─▶ outcomeUnknown
///    │                   failed   rollback
///    └────────────rollback (any of them)────────────▶ rolledBack
/// ```
///
/// - `notBegun`: nothing was sent. Can transition to: active, failed, committed (nothing to
///   commit), rolledBack.
/// - `active`: the server has an open, healthy transaction. Can transition to: failed, committing,
///   committed (autocommit), rolledBack.
/// - `failed`: a statement failed, so the server's transaction is aborted (or the connection is
///   gone): the session can only roll back. Can transition to: active (rollback to a
///   savepoint), rolledBack.
/// - `committing`: COMMIT is in flight. Can transition to: committed, rolledBack,
///   outcomeUnknown.
/// - `committed`, `rolledBack`, `outcomeUnknown`: ended; nothing more is sent.
///
/// An export (COPY TO STDOUT) left half-read and the session's cursors are tracked here too: the
/// export must be abandoned before anything else is sent, and both end with the transaction.
struct TransactionStateMachine {
    /// Where the transaction is.
    enum State {
        case notBegun
        case active
        case failed(Failure)
        case committing
        case committed
        case rolledBack
        case outcomeUnknown
    }

    /// Why the transaction failed, and whether the connection survived it.
    struct Failure {
        let cause: any Error
        /// The connection is gone: the server rolled back by itself, nothing is left to send.
        let connectionLost: Bool
    }

    /// The server's transaction state as libpq reports it after an operation.
    enum ServerStatus: Equatable {
        /// Outside any transaction.
        case idle
        /// In a healthy transaction block.
        case inTransaction
        /// In a transaction block that a failed statement aborted.
        case inFailedTransaction
        /// The connection is closed or broken.
        case lost
    }

    /// What the session does before running a statement.
    struct StatementPlan: Equatable {
        /// `BEGIN` travels in the same round trip, in front of the statement.
        let begins: Bool
        /// An export to abandon first.
        let abandonCopy: UInt64?
    }

    /// What `commit()` does.
    enum CommitAction: Equatable {
        /// Nothing was sent and nothing is pending: the session just ends.
        case finish
        /// The transaction failed earlier: roll back, then throw `transactionFailed`.
        case rollBackFailed
        /// Flush the pending writes (when asked; their errors roll back, nothing committed),
        /// then send COMMIT if a transaction was begun.
        case commit(flushFirst: Bool, abandonCopy: UInt64?)
    }

    /// What `rollback()` sends.
    enum RollbackAction: Equatable {
        case none
        case rollback(abandonCopy: UInt64?)
    }

    /// No BEGIN: each statement commits by itself (one-shot repository calls).
    let autocommit: Bool
    private(set) var state: State = .notBegun
    /// The export whose stream was not read to the end.
    private(set) var openCopyOut: UInt64?
    /// Numbers of the cursors open in this transaction.
    private(set) var openCursors: Set<Int> = []
    /// How many savepoints are open.
    private(set) var savepointDepth = 0

    init(autocommit: Bool) {
        self.autocommit = autocommit
    }

    // MARK: - Queries

    /// Whether the session can still run statements or commit (it has not ended).
    var isOpen: Bool {
        switch state {
        case .notBegun, .active, .failed: true
        case .committing, .committed, .rolledBack, .outcomeUnknown: false
        }
    }

    /// Whether the server holds a transaction this session begun.
    var hasBegun: Bool {
        switch state {
        case .active, .failed, .committing: true
        case .notBegun, .committed, .rolledBack, .outcomeUnknown: false
        }
    }

    /// The error for using the session now, or nil when it can run a statement.
    var unusableError: SessionError? {
        switch state {
        case .notBegun, .active:
            return nil
        case .failed(let failure):
            return SessionError(.transactionFailed, message: "an earlier statement failed; the transaction can only roll back",
                                underlying: failure.cause)
        case .committing:
            return SessionError(.ended, message: "the session is committing")
        case .committed:
            return SessionError(.ended, message: "the session already committed")
        case .rolledBack:
            return SessionError(.ended, message: "the session already rolled back")
        case .outcomeUnknown:
            return SessionError(.ended, message: "the session ended when the connection was lost during COMMIT")
        }
    }

    // MARK: - Statements

    /// A statement is about to run.
    ///
    /// - Throws: ``SessionError`` when the session ended or its transaction failed.
    mutating func statementRequested() throws -> StatementPlan {
        if let error = unusableError { throw error }
        let plan = StatementPlan(begins: !autocommit && isNotBegun, abandonCopy: openCopyOut)
        openCopyOut = nil
        return plan
    }

    /// The statement (and the BEGIN in front of it, if planned) succeeded.
    mutating func statementSucceeded(_ plan: StatementPlan) {
        if plan.begins, case .notBegun = state { state = .active }
    }

    /// A statement failed with `error`, leaving the server's transaction in `status`. The status
    /// decides, not the error: a statement cancelled before it was sent leaves the transaction
    /// healthy, a failed one aborts it, a BEGIN that ran in front of a failed first statement
    /// opened a transaction that must be rolled back.
    mutating func statementFailed(_ error: any Error, status: ServerStatus) {
        guard isOpen else { return }
        switch status {
        case .lost:
            state = .failed(Failure(cause: error, connectionLost: true))
        case .inFailedTransaction:
            state = .failed(Failure(cause: error, connectionLost: false))
        case .inTransaction:
            if !autocommit, case .notBegun = state { state = .active }
        case .idle:
            // No transaction on the server: the statement ran (and failed) before any BEGIN took
            // effect, or in autocommit. A transaction this session had begun cannot vanish
            // without its COMMIT or ROLLBACK; if it did, the session can no longer tell what
            // happened to its work.
            if hasBegun {
                state = .failed(Failure(cause: SessionError(
                    .transactionFailed, message: "the server has no transaction for this session any more",
                    underlying: error), connectionLost: false))
            }
        }
    }

    /// Writes or a COPY failed in a way that leaves the unit of work inconsistent even though the
    /// server's transaction may be healthy (a completion failed after the rows were written, a
    /// COPY was aborted): only a rollback is safe.
    mutating func unitOfWorkFailed(_ error: any Error, connectionLost: Bool) {
        guard isOpen, !autocommit || connectionLost else { return }
        if case .failed = state { return }
        state = .failed(Failure(cause: error, connectionLost: connectionLost))
    }

    // MARK: - Export and cursors

    /// An export began; it owns the connection until it is read to the end or abandoned.
    mutating func copyOutStarted(_ token: UInt64) {
        openCopyOut = token
    }

    /// The export was read to the end.
    mutating func copyOutFinished(_ token: UInt64) {
        if openCopyOut == token { openCopyOut = nil }
    }

    /// A fresh cursor number for a stream.
    mutating func cursorOpened() -> Int {
        let number = (1...).first { !openCursors.contains($0) } ?? openCursors.count + 1
        openCursors.insert(number)
        return number
    }

    /// A stream closed its cursor.
    mutating func cursorClosed(_ number: Int) {
        openCursors.remove(number)
    }

    // MARK: - Savepoints

    /// A savepoint is about to be created; returns its depth (1 for the outermost).
    mutating func savepointOpened() -> Int {
        savepointDepth += 1
        return savepointDepth
    }

    /// The savepoint's scope ended (released or rolled back to).
    mutating func savepointClosed() {
        savepointDepth = max(0, savepointDepth - 1)
    }

    /// Whether `ROLLBACK TO SAVEPOINT` can be sent: the transaction is open, begun and the
    /// connection alive.
    var canRollBackToSavepoint: Bool {
        switch state {
        case .active: true
        case .failed(let failure): !failure.connectionLost
        default: false
        }
    }

    /// `ROLLBACK TO SAVEPOINT` succeeded: the transaction is healthy again.
    mutating func rolledBackToSavepoint() {
        if canRollBackToSavepoint { state = .active }
    }

    // MARK: - Ending

    /// `commit()` was called.
    ///
    /// - Throws: ``SessionError/Code/ended`` when the session already ended.
    mutating func commitRequested(hasPendingWrites: Bool) throws -> CommitAction {
        switch state {
        case .committing, .committed, .rolledBack, .outcomeUnknown:
            throw unusableError ?? SessionError(.ended, message: "the session ended")
        case .failed:
            return .rollBackFailed
        case .notBegun where !hasPendingWrites:
            openCopyOut = nil
            state = .committed
            return .finish
        case .notBegun, .active:
            let copy = openCopyOut
            openCopyOut = nil
            return .commit(flushFirst: hasPendingWrites, abandonCopy: copy)
        }
    }

    /// After the flush: whether a COMMIT must be sent. In autocommit, or when nothing was begun,
    /// the session just ends committed.
    mutating func commitStatementNeeded() throws -> Bool {
        if let error = unusableError { throw error }
        guard !autocommit, hasBegun else {
            state = .committed
            return false
        }
        state = .committing
        return true
    }

    /// COMMIT returned `tag`. PostgreSQL answers COMMIT of an aborted transaction with the tag
    /// `ROLLBACK` and no error: that is a failure, never success.
    ///
    /// - Throws: ``SessionError/Code/transactionFailed`` when the server rolled back.
    mutating func commitFinished(tag: String) throws {
        guard case .committing = state else { return }
        if tag == "COMMIT" {
            state = .committed
            return
        }
        state = .rolledBack
        throw SessionError(.transactionFailed,
                           message: "the server rolled the transaction back instead of committing it (COMMIT answered \(tag.debugDescription))")
    }

    /// COMMIT failed with a server error (serialization failure, deferred constraint): the
    /// transaction ended, rolled back by the server.
    mutating func commitRejected() {
        if case .committing = state { state = .rolledBack }
    }

    /// The connection was lost while COMMIT was in flight: the outcome is unknown.
    mutating func commitLost() {
        if case .committing = state { state = .outcomeUnknown }
    }

    /// The outcome of a commit whose connection was lost was learned from the server.
    mutating func commitResolved(committed: Bool) {
        if case .outcomeUnknown = state { state = committed ? .committed : .rolledBack }
    }

    /// `COMMIT` did not run: a statement in front of it in its pipeline failed. The session rolls
    /// back the transaction, which is still open on the server.
    mutating func commitAbandoned() {
        if case .committing = state { state = .rolledBack }
    }

    /// `rollback()` was called, or the session's body threw. `connectionAlive` is false when the
    /// connection broke: the server rolled back by itself.
    mutating func rollbackRequested(connectionAlive: Bool) -> RollbackAction {
        let copy = openCopyOut
        openCopyOut = nil
        openCursors.removeAll()
        switch state {
        case .committing, .committed, .rolledBack, .outcomeUnknown:
            return .none
        case .notBegun:
            state = .rolledBack
            return .none
        case .active, .failed:
            let lost: Bool
            if case .failed(let failure) = state { lost = failure.connectionLost } else { lost = false }
            state = .rolledBack
            guard !autocommit, !lost, connectionAlive else { return .none }
            return .rollback(abandonCopy: copy)
        }
    }

    // MARK: - Internal

    private var isNotBegun: Bool {
        if case .notBegun = state { return true }
        return false
    }
}
