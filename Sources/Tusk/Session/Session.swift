import Tracing
import Logging

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
/// and commits when the closure returns. Pending writes (``add(_:)``, ``update(_:)``,
/// ``delete(_:)``) go to the server in one pipelined round trip at ``flush()`` — and at
/// ``commit()``, before the `COMMIT`, so that whatever the flush reports (a failed write, an
/// update that matched no row, a row that does not decode) is known while nothing is committed
/// yet. Writes are sent in a fixed order: inserts as added, then updates, then deletes.
///
/// Every decision about the transaction — may a statement run, must `BEGIN` go first, what does
/// `commit()` send, is a `ROLLBACK` needed — is made by one pure `TransactionStateMachine`.
///
/// A session belongs to the task that opened it: it is not `Sendable`.
public final class Session {
    /// The leased connection. Internal: a statement sent on it directly would run outside the
    /// transaction the session tracks.
    let connection: Connection
    let options: TransactionOptions
    var transaction: TransactionStateMachine
    var pendingInserts: [PendingWrite] = []
    var pendingUpdates: [PendingWrite] = []
    var pendingUpdateKeys: [IdentityMap.Key: Int] = [:]
    var pendingDeletes: [PendingWrite] = []
    var identityMap = IdentityMap()
    /// The WAL position after this session's commit, when its options asked for it.
    var commitPosition: CommitPosition?

    struct TransactionOptions: Sendable {
        var isolation: IsolationLevel?
        var readOnly: Bool
        var deferrable: Bool
        /// No explicit transaction: each statement commits by itself. For one-shot repository
        /// calls that are a single statement.
        var autocommit = false
        /// How long to spend resolving a commit whose connection was lost; nil throws
        /// `commitOutcomeUnknown` at once.
        var commitResolutionTimeout: Duration?
        /// Read the server's WAL position after COMMIT (``Session/commitPosition``), for a
        /// cluster's read-your-writes.
        var recordsCommitPosition = false

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
        transaction = TransactionStateMachine(autocommit: options.autocommit)
    }

    /// Whether the session can still run statements (it has not committed or rolled back).
    public var isActive: Bool { transaction.isOpen }

    /// Whether writes are waiting for the next flush.
    public var hasPendingWrites: Bool {
        !pendingInserts.isEmpty || !pendingUpdates.isEmpty || !pendingDeletes.isEmpty
    }

    /// What the session's connection has sent so far: round trips, statements, prepared
    /// statements.
    public var statistics: ConnectionStatistics {
        get async { await connection.statistics }
    }

    // MARK: - Running statements

    /// Throws unless the session can run a statement.
    func checkUsable() throws {
        if let error = transaction.unusableError { throw error }
    }

    /// Runs one statement in the transaction, beginning it first (in the same round trip) if
    /// needed. A server error fails the transaction.
    ///
    /// - Throws: ``SessionError`` with `invalidUsage` for a transaction-control statement (use
    ///   ``commit()``, ``rollback()`` and ``withSavepoint(_:)``), `beginFailed` when the `BEGIN`
    ///   itself failed, and the errors of ``Connection/query(_:timeout:)``.
    func run(_ sql: SQL, timeout: Duration? = nil) async throws -> QueryResult {
        try checkUsable()
        try sql.validate()
        // The leading keyword is in the first segment (a statement cannot start with a
        // placeholder), which needs no assembly of the full text.
        if let keyword = TransactionControl.keyword(of: sql.segments.first ?? "") {
            throw SessionError(.invalidUsage,
                               message: "\(keyword) cannot run as a session statement: the session owns its transaction; use commit(), rollback() or withSavepoint")
        }
        return try await runUnchecked(sql, timeout: timeout)
    }

    /// ``run(_:timeout:)`` without the transaction-control check, for the session's own
    /// `SAVEPOINT` and `RELEASE`, and cursor statements.
    func runUnchecked(_ sql: SQL, timeout: Duration? = nil) async throws -> QueryResult {
        let plan = try transaction.statementRequested()
        if let token = plan.abandonCopy { await abandonExport(token) }
        do {
            let result: QueryResult
            if plan.begins {
                let outcomes = try await connection.pipeline([options.beginStatement, sql], timeout: timeout)
                try Self.checkBegin(outcomes)
                result = try Self.result(of: outcomes, at: 1)
            } else {
                result = try await connection.query(sql, timeout: timeout)
            }
            transaction.statementSucceeded(plan)
            return result
        } catch {
            transaction.statementFailed(error, status: serverStatus)
            throw error
        }
    }

    /// Runs `sql` like ``runUnchecked(_:timeout:)`` while `work` runs off the connection's thread,
    /// so that the server and the client work at once: a cursor stream decodes one batch while
    /// the server produces the next.
    ///
    /// The statement's failure fails the transaction as usual but is returned, not thrown, so
    /// that the caller can first hand out what `work` produced from earlier rows. The statement
    /// is awaited to its end even when `work` throws, so nothing is left in flight and a
    /// client-side error does not disturb the transaction. Before the transaction has begun,
    /// `work` runs first and the statement after it, because the `BEGIN` must travel with it.
    ///
    /// - Throws: `work`'s error, and the session's errors before anything is sent.
    func runUnchecked<Value>(_ sql: SQL, overlapping work: () throws -> Value) async throws
        -> (statement: Result<QueryResult, any Error>, work: Value) {
        guard transaction.hasBegun else {
            let value = try work()
            do {
                return (.success(try await runUnchecked(sql)), value)
            } catch {
                return (.failure(error), value)
            }
        }
        let plan = try transaction.statementRequested()
        if let token = plan.abandonCopy { await abandonExport(token) }
        let connection = connection
        // A session's task runs on the connection's thread (see `withPinnedExecution`), where the
        // statement blocks while it waits: the work must go elsewhere to overlap it.
        async let statement = connection.query(sql)
        let outcome = await withTaskExecutorPreference(globalConcurrentExecutor) {
            Result { try work() }
        }
        let result: Result<QueryResult, any Error>
        do {
            result = .success(try await statement)
            transaction.statementSucceeded(plan)
        } catch {
            transaction.statementFailed(error, status: serverStatus)
            result = .failure(error)
        }
        return (result, try outcome.get())
    }

    /// Runs statements in one pipelined round trip, beginning the transaction first if needed.
    /// A failed statement fails the transaction.
    func runPipeline(_ statements: [SQL]) async throws -> [PipelineOutcome] {
        let plan = try transaction.statementRequested()
        if let token = plan.abandonCopy { await abandonExport(token) }
        var batch = statements
        if plan.begins { batch.insert(options.beginStatement, at: 0) }
        do {
            var outcomes = try await connection.pipeline(batch, timeout: nil)
            if plan.begins {
                try Self.checkBegin(outcomes)
                outcomes.removeFirst()
            }
            transaction.statementSucceeded(plan)
            if let failure = outcomes.lazy.compactMap(\.serverError).first {
                transaction.statementFailed(failure, status: serverStatus)
            }
            return outcomes
        } catch {
            transaction.statementFailed(error, status: serverStatus)
            throw error
        }
    }

    /// Begins the transaction now if it has not begun: COPY cannot travel in a pipeline with
    /// `BEGIN`.
    func ensureBegun() async throws {
        // The same plan a statement gets; the session sends the BEGIN alone.
        let plan = try transaction.statementRequested()
        if let token = plan.abandonCopy { await abandonExport(token) }
        guard plan.begins else { return }
        do {
            _ = try await connection.query(options.beginStatement)
        } catch {
            transaction.statementFailed(error, status: serverStatus)
            throw SessionError(.beginFailed, message: "BEGIN failed", underlying: error)
        }
        transaction.statementSucceeded(plan)
    }

    /// Records that work sent on the connection outside ``run(_:timeout:)`` failed (a COPY): the
    /// transaction can no longer commit, unless nothing reached the server.
    func fail(with error: any Error) {
        // Nothing reached the server for client-side errors raised before sending.
        if error is PostgresEncodingError { return }
        if let error = error as? PipelineError, case .unencodable = error.reason { return }
        transaction.unitOfWorkFailed(error, connectionLost: serverStatus == .lost)
    }

    /// Records that a COPY was aborted, whatever aborted it — the server, the producer, or a value
    /// Tusk refused to encode mid-stream: the server has failed the transaction either way, so
    /// nothing of the batch can commit.
    func failCopy(with error: any Error) {
        transaction.unitOfWorkFailed(error, connectionLost: serverStatus == .lost)
    }

    /// The savepoint an export runs under: cancelling a COPY aborts the transaction it runs in,
    /// and an export abandoned half-way must not take the session's work with it.
    static let exportSavepoint: SQL = "SAVEPOINT tusk_export"

    /// Cancels an export that was not read to the end, so the connection can run statements,
    /// rolls back to the export's savepoint when the cancel aborted the transaction (it finds
    /// nothing to cancel when the server had sent everything already), and releases it.
    func abandonExport(_ token: UInt64) async {
        await connection.abandonCopyOut(token)
        do {
            if serverStatus == .inFailedTransaction {
                _ = try await connection.runTransactionControl("ROLLBACK TO SAVEPOINT tusk_export", timeout: .seconds(30))
            }
            _ = try await connection.runTransactionControl("RELEASE SAVEPOINT tusk_export", timeout: .seconds(30))
        } catch {
            transaction.unitOfWorkFailed(error, connectionLost: serverStatus == .lost)
        }
    }

    /// The server's transaction state after the last operation, from libpq's status.
    var serverStatus: TransactionStateMachine.ServerStatus {
        switch connection.currentHealth {
        case .idle: .idle
        case .inTransaction, .busy: .inTransaction
        case .inFailedTransaction: .inFailedTransaction
        case .opening, .broken, .closed: .lost
        }
    }

    static func checkBegin(_ outcomes: [PipelineOutcome]) throws {
        switch outcomes.first {
        case .success?: return
        case .failure(let error)?: throw SessionError(.beginFailed, message: "BEGIN failed", underlying: error)
        case .aborted?, nil: throw SessionError(.beginFailed, message: "BEGIN did not run")
        }
    }

    static func result(of outcomes: [PipelineOutcome], at index: Int) throws -> QueryResult {
        switch outcomes[index] {
        case .success(let result): return result
        case .failure(let error): throw error
        case .aborted: throw PipelineError(index: index, reason: .aborted)
        }
    }

    // MARK: - Ending

    /// Flushes pending writes, then commits. Afterwards the session is ended.
    ///
    /// The flush and the `COMMIT` are two round trips: whatever the flush reports is known before
    /// anything is committed, so an error thrown here always means nothing was committed — except
    /// `commitOutcomeUnknown`, which means exactly that the connection was lost while `COMMIT`
    /// was in flight.
    ///
    /// - Throws: ``SessionError`` with `flushFailed` (naming the change; rolled back),
    ///   `transactionFailed` (an earlier statement failed, or the server turned the COMMIT into a
    ///   ROLLBACK; rolled back), `commitFailed` (the server refused the COMMIT: a serialization
    ///   failure, a deferred constraint; nothing committed), `commitOutcomeUnknown`, or `ended`;
    ///   and the errors of ``flush()``, after rolling back.
    public func commit() async throws {
        let namespace = connection.endpoint.namespace
        try await TracedSpan.run(namespace.map { "COMMIT \($0)" } ?? "COMMIT", kind: .client, attributes: { attributes in
            attributes["db.system.name"] = "postgresql"
            attributes["db.operation.name"] = "COMMIT"
            if let namespace { attributes["db.namespace"] = namespace }
        }) {
            try await commitUntraced()
        }
    }

    private func commitUntraced() async throws {
        switch try transaction.commitRequested(hasPendingWrites: hasPendingWrites) {
        case .finish:
            dropPendingWrites()
            return
        case .rollBackFailed:
            let cause = transaction.unusableError
            await rollbackQuietly()
            throw SessionError(.transactionFailed, message: "an earlier statement failed; the transaction was rolled back",
                               underlying: cause?.underlying)
        case .commit(let flushFirst, let abandonCopy):
            if let abandonCopy { await abandonExport(abandonCopy) }
            if flushFirst {
                do {
                    try await flush()
                } catch {
                    await rollbackQuietly()
                    throw error
                }
            }
            guard try transaction.commitStatementNeeded() else { return }
            if let timeout = options.commitResolutionTimeout, connection.versionAtConnect >= 130_000 {
                try await commitKnowingTheTransaction(resolvingLossWithin: timeout)
                return
            }
            let tag: String
            do {
                tag = try await connection.runTransactionControl("COMMIT", timeout: nil).commandTag
            } catch let error as ConnectionError where error.code == .connectionLost {
                transaction.commitLost()
                throw SessionError.commitOutcomeUnknown(after: error)
            } catch {
                // A COMMIT that fails (serialization failure, deferred constraint) ends the
                // transaction by itself: there is nothing left to roll back.
                transaction.commitRejected()
                throw SessionError(.commitFailed, message: "the server refused to commit; nothing was committed", underlying: error)
            }
            try transaction.commitFinished(tag: tag)
            if options.recordsCommitPosition {
                // This path has no pipeline to carry the query (resolution off, or a server
                // before 13): one more round trip, after the commit.
                commitPosition = try? await CommitPosition(text: connection.run(Self.commitPositionQuery, timeout: .seconds(30), cancellable: false)
                    .first?.decode(String.self, at: 0))
            }
        }
    }

    /// Where the server's WAL is once COMMIT returned: a replica that replayed up to here sees the
    /// commit. Asked in COMMIT's own round trip, behind it.
    static let commitPositionQuery: SQL = "SELECT pg_current_wal_insert_lsn()::text"

    /// Rolls back and ends the session; pending writes are dropped. Rolling back an ended
    /// session does nothing.
    public func rollback() async {
        await rollbackQuietly()
    }

    func rollbackQuietly() async {
        dropPendingWrites()
        let alive = serverStatus != .lost
        guard case .rollback(let abandonCopy) = transaction.rollbackRequested(connectionAlive: alive) else { return }
        if let abandonCopy { await connection.abandonCopyOut(abandonCopy) }
        do {
            // Runs even when the task is cancelled: the transaction must not stay open.
            _ = try await connection.runTransactionControl("ROLLBACK", timeout: .seconds(30))
        } catch {
            // The connection is not clean now; the pool closes it instead of reusing it.
            connection.logger.warning("ROLLBACK failed", metadata: ["tusk_error": "\(error)"])
        }
    }
}

@available(*, unavailable, message: "a Session belongs to the task that opened it")
extension Session: Sendable {}
