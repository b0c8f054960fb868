/// A unit of work: one leased connection and one transaction.
///
/// ```swift
/// try await pool.withSession { session in
///     let user = try await session.queryOne("SELECT * FROM users WHERE id = \(id)", as: User.self)
///     session.add(AuditEntry(userID: user.id, action: "login"))
///     try await session.execute("UPDATE users SET last_login = now() WHERE id = \(id)")
/// }   // flushed and committed here; rolled back if the closure throws or the task is cancelled
/// ```
///
/// The transaction begins with the first statement (its `BEGIN` travels in the same round trip)
/// and commits when the closure returns: pending writes, then `COMMIT`, in one round trip.
/// Pending writes (``add(_:)``, ``update(_:)``, ``delete(_:)``) go to the server in one pipelined
/// round trip at ``flush()``, in a fixed order: inserts as added, then updates, then deletes.
///
/// A session belongs to the task that opened it: it is not `Sendable`.
public final class Session {
    /// The leased connection; its ``Connection/statistics`` count the session's round trips.
    public let connection: Connection
    let options: TransactionOptions
    var state: State = .notBegun
    var pendingInserts: [PendingWrite] = []
    var pendingUpdates: [PendingWrite] = []
    var pendingUpdateKeys: [IdentityMap.Key: Int] = [:]
    var pendingDeletes: [PendingWrite] = []
    var identityMap = IdentityMap()
    var savepointDepth = 0
    var openCursors = Set<Int>()
    /// An export (COPY TO STDOUT) whose stream was not read to the end; closed before the next
    /// statement.
    var openCopyOut: UInt64?

    enum State {
        case notBegun
        case active
        case failed(any Error & Sendable)
        case committed
        case rolledBack
    }

    struct TransactionOptions: Sendable {
        var isolation: IsolationLevel?
        var readOnly: Bool
        var deferrable: Bool
        /// No explicit transaction: each statement (or flush pipeline) commits by itself. For
        /// one-shot repository calls that are a single statement.
        var autocommit = false

        var beginStatement: SQL {
            var text = "BEGIN"
            if let isolation { text += " ISOLATION LEVEL \(isolation.rawValue)" }
            if readOnly { text += " READ ONLY" }
            if deferrable { text += " DEFERRABLE" }
            return SQL(unsafeRaw: text)
        }
    }

    init(connection: Connection, options: TransactionOptions) {
        self.connection = connection
        self.options = options
    }

    /// Whether the session can still run statements (it has not committed or rolled back).
    public var isActive: Bool {
        switch state {
        case .notBegun, .active, .failed: true
        case .committed, .rolledBack: false
        }
    }

    /// Whether writes are waiting for the next flush.
    public var hasPendingWrites: Bool {
        !pendingInserts.isEmpty || !pendingUpdates.isEmpty || !pendingDeletes.isEmpty
    }

    // MARK: - Running statements

    /// Throws unless the session can run a statement.
    func checkUsable() throws {
        switch state {
        case .notBegun, .active:
            return
        case .failed(let error):
            throw SessionError(.transactionFailed, message: "an earlier statement failed; the transaction can only roll back",
                               underlying: error)
        case .committed, .rolledBack:
            throw SessionError(.ended, message: "the session already \(isCommitted ? "committed" : "rolled back")")
        }
    }

    private var isCommitted: Bool {
        if case .committed = state { return true }
        return false
    }

    /// Runs one statement in the transaction, beginning it first (in the same round trip) if
    /// needed. A server error fails the transaction.
    func run(_ sql: SQL, timeout: Duration? = nil) async throws -> QueryResult {
        try checkUsable()
        try sql.validate()
        await closeOpenCopy()
        do {
            if options.autocommit {
                return try await connection.query(sql, timeout: timeout)
            }
            if case .notBegun = state {
                let outcomes = try await connection.pipeline([options.beginStatement, sql], timeout: timeout)
                state = .active
                return try Self.result(of: outcomes, at: 1)
            }
            return try await connection.query(sql, timeout: timeout)
        } catch {
            fail(with: error)
            throw error
        }
    }

    /// Runs statements in one pipelined round trip, beginning the transaction first if needed.
    func runPipeline(_ statements: [SQL], cancellable: Bool = true) async throws -> [PipelineOutcome] {
        try checkUsable()
        await closeOpenCopy()
        var batch = statements
        let begins = { if case .notBegun = state, !options.autocommit { return true } else { return false } }()
        if begins { batch.insert(options.beginStatement, at: 0) }
        do {
            var outcomes = try await connection.pipeline(batch, timeout: nil, cancellable: cancellable)
            if begins {
                _ = try Self.result(of: outcomes, at: 0)
                outcomes.removeFirst()
                state = .active
            }
            if outcomes.contains(where: { if case .success = $0 { false } else { true } }) {
                state = .failed(SessionError(.transactionFailed, message: "a pipelined statement failed"))
            }
            return outcomes
        } catch {
            fail(with: error)
            throw error
        }
    }

    /// Records that the transaction can no longer commit, when `error` says so.
    func fail(with error: any Error) {
        // Nothing reached the server for client-side errors; the transaction is intact.
        if error is PostgresEncodingError || error is PostgresDecodingError { return }
        if let error = error as? PipelineError, case .unencodable = error.reason { return }
        if case .notBegun = state, !(error is PostgresError), !(error is PipelineError) { return }
        state = .failed(error)
    }

    static func result(of outcomes: [PipelineOutcome], at index: Int) throws -> QueryResult {
        switch outcomes[index] {
        case .success(let result): return result
        case .failure(let error): throw error
        case .aborted: throw PipelineError(index: index, reason: .aborted)
        }
    }

    // MARK: - Ending

    /// Flushes pending writes and commits, in one round trip. Afterwards the session is ended.
    ///
    /// - Throws: ``SessionError`` with `flushFailed` (naming the change; the transaction is
    ///   rolled back), `transactionFailed` (an earlier statement failed; rolled back),
    ///   `commitOutcomeUnknown` (the connection was lost while COMMIT was in flight), or `ended`.
    public func commit() async throws {
        try checkNotEnded()
        if case .failed(let error) = state {
            await rollbackQuietly()
            throw SessionError(.transactionFailed, message: "an earlier statement failed; the transaction was rolled back",
                               underlying: error)
        }
        let writes = takePendingWrites()
        if case .notBegun = state, writes.isEmpty {
            state = .committed
            return
        }
        if writes.isEmpty {
            do {
                _ = try await connection.run("COMMIT", timeout: nil, cancellable: false)
            } catch let error as ConnectionError where error.code == .connectionLost {
                state = .rolledBack
                throw SessionError.commitOutcomeUnknown(after: error)
            } catch {
                // A COMMIT that fails (serialization failure, deferred constraint) ends the
                // transaction by itself: there is nothing left to roll back.
                state = .rolledBack
                throw error
            }
            state = .committed
            return
        }
        do {
            // Pending writes, then COMMIT, in one round trip. In autocommit the writes' pipeline is
            // one implicit transaction: all or nothing.
            try await send(writes, thenCommit: !options.autocommit)
        } catch let error as ConnectionError where error.code == .connectionLost {
            state = .rolledBack
            throw SessionError.commitOutcomeUnknown(after: error)
        } catch {
            await rollbackQuietly()
            throw error
        }
        state = .committed
    }

    /// Rolls back and ends the session; pending writes are dropped. Rolling back an ended
    /// session does nothing.
    public func rollback() async {
        await rollbackQuietly()
    }

    func rollbackQuietly() async {
        await closeOpenCopy()
        dropPendingWrites()
        switch state {
        case .committed, .rolledBack:
            return
        case .notBegun:
            state = .rolledBack
        case .active, .failed:
            state = .rolledBack
            // Autocommit has no transaction to roll back.
            guard !options.autocommit else { return }
            // Runs even when the task is cancelled: the transaction must not stay open. A lost
            // connection has rolled back on the server already.
            _ = try? await connection.run("ROLLBACK", timeout: .seconds(30), cancellable: false)
        }
    }

    /// Cancels an export that was not read to the end, so the connection can run statements.
    func closeOpenCopy() async {
        guard let token = openCopyOut else { return }
        openCopyOut = nil
        await connection.abandonCopyOut(token)
    }

    func checkNotEnded() throws {
        switch state {
        case .committed, .rolledBack:
            throw SessionError(.ended, message: "the session already \(isCommitted ? "committed" : "rolled back")")
        default:
            return
        }
    }
}

@available(*, unavailable, message: "a Session belongs to the task that opened it")
extension Session: Sendable {}
