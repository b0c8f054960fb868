import Logging

extension Connection {
    // MARK: - Public API

    /// Runs one statement and returns its rows.
    ///
    /// ```swift
    /// let result = try await connection.query("SELECT id, email FROM users WHERE age > \(30)")
    /// let users = try result.decode(User.self)
    /// ```
    ///
    /// - Parameters:
    ///   - sql: one statement; interpolated values are bound in binary format.
    ///   - timeout: cancels the statement on the server when it runs longer; defaults to
    ///     ``ConnectionConfiguration/queryTimeout``.
    /// - Throws: ``PostgresError`` for server errors, ``ConnectionError`` (`timeout`,
    ///   `connectionLost`, `closed`, `invalidUsage`), ``PostgresEncodingError`` for values that
    ///   cannot be sent (nothing is sent then), `CancellationError` when the task is cancelled
    ///   (the statement is cancelled on the server first).
    public func query(_ sql: SQL, timeout: Duration? = nil) async throws -> QueryResult {
        try await run(sql, timeout: timeout, cancellable: true)
    }

    /// Runs one statement and returns the number of rows it affected (0 when it reports none).
    ///
    /// - Throws: as ``query(_:timeout:)``.
    @discardableResult
    public func execute(_ sql: SQL, timeout: Duration? = nil) async throws -> Int {
        try await run(sql, timeout: timeout, cancellable: true).affectedRows ?? 0
    }

    /// Runs a script of one or more statements separated by semicolons, through the simple query
    /// protocol (text results, no parameters): migrations, `CREATE` batches.
    ///
    /// - Throws: ``PostgresEncodingError`` if `sql` binds values (a script cannot); otherwise as
    ///   ``query(_:timeout:)``, for the first statement that fails.
    public func executeScript(_ sql: SQL, timeout: Duration? = nil) async throws {
        guard sql.bindings.count == 0 else {
            throw PostgresEncodingError(.unsupportedValue, "a script cannot bind values; use execute for statements with parameters")
        }
        let text = sql.text
        if configuration.pooler == .transactionMode {
            for statement in ScriptStatements.split(text) { try checkPoolerAllows(String(statement)) }
        }
        try await observed(.statement(text)) {
            try await withOperation(timeout: timeout) { handle, control in
                try runScript(text, handle, &control)
            }
        }
    }

    /// Checks the connection with a round trip (an empty statement).
    ///
    /// - Throws: ``ConnectionError`` when the connection is lost or closed.
    public func ping(timeout: Duration? = nil) async throws {
        _ = try await run("", timeout: timeout, cancellable: true)
    }

    /// Resets the server session to its start-up state (`DISCARD ALL`: settings, role, temporary
    /// tables, advisory locks, `LISTEN`, cursors, prepared statements) and forgets the prepared
    /// statements with it. Runs even when the task is cancelled; a failure closes the connection,
    /// so it is never handed out half-reset.
    func resetSessionState() async {
        // Behind a transaction-mode pooler the next transaction may run on another server
        // session, and nothing session-level was allowed to begin with.
        guard configuration.pooler == .none else { return }
        do {
            try await withOperation(timeout: .seconds(30), cancellable: false) { handle, control in
                try runScript("DISCARD ALL", handle, &control)
                statements.removeAll()
                pendingDeallocations.removeAll()
                columnTypeCache.removeAll()
            }
        } catch {
            logger.warning("DISCARD ALL failed; closing the connection", metadata: ["tusk_error": "\(error)"])
            markBroken()
        }
    }

    // MARK: - Internal

    /// Runs one statement; `cancellable: false` ignores task cancellation (for clean-up).
    func run(_ sql: SQL, timeout: Duration?, cancellable: Bool) async throws -> QueryResult {
        try sql.validate()
        let text = sql.text
        if Self.isCopyStatement(text) {
            throw configuration.target.error(.invalidUsage, "COPY runs through copyIn or copyOut, not query or execute")
        }
        try checkPoolerAllows(text)
        return try await observed(.statement(text)) {
            try await withOperation(timeout: timeout, cancellable: cancellable) { handle, control in
                try runStatement(text, sql.bindings, handle, &control)
            }
        }
    }

    /// Runs a transaction-control statement (`COMMIT`, `ROLLBACK`, `ROLLBACK TO SAVEPOINT`)
    /// unnamed, in one round trip: never worth a prepared statement, and never behind a
    /// DEALLOCATE. It ignores task cancellation: a session's clean-up must run.
    func runTransactionControl(_ sql: SQL, timeout: Duration?) async throws -> QueryResult {
        try sql.validate()
        let text = sql.text
        return try await observed(.statement(text)) {
            try await withOperation(timeout: timeout, cancellable: false) { handle, control in
                logStatement(text, bindings: sql.bindings)
                counters.statements += 1
                return try runUnnamed(text, sql.bindings, handle, &control)
            }
        }
    }

    /// Sends a script through the simple query protocol and reads every result.
    private func runScript(_ text: String, _ handle: PGConnectionHandle, _ control: inout OperationControl) throws {
        logStatement(text, bindings: PostgresBindings())
        guard handle.sendSimpleQuery(text) else { throw handle.lostError("could not send the script") }
        counters.roundTrips += 1
        counters.statements += 1
        try handle.flush(&control)
        _ = try collectResults(handle, &control, query: text)
    }

    /// Sends one statement unnamed (Parse/Bind/Execute/Sync in one round trip) and reads its
    /// result.
    private func runUnnamed(_ text: String, _ bindings: PostgresBindings, _ handle: PGConnectionHandle,
                            _ control: inout OperationControl) throws -> QueryResult {
        guard handle.sendQuery(text, bindings: bindings) else { throw handle.lostError("could not send a statement") }
        counters.roundTrips += 1
        try handle.flush(&control)
        return try finish(handle, &control, text)
    }

    /// Sends one statement (preparing it first when it is new) and reads its result.
    ///
    /// A cached statement the server no longer accepts (its plan changed under `ALTER TABLE`, or
    /// `DISCARD ALL` dropped it) is prepared again and run once more, transparently, when it ran
    /// outside a transaction: it did not execute, and nothing else was undone with it. Inside a
    /// transaction the error stands, because the transaction is aborted.
    func runStatement(_ text: String, _ bindings: PostgresBindings, _ handle: PGConnectionHandle,
                      _ control: inout OperationControl) throws -> QueryResult {
        logStatement(text, bindings: bindings)
        try deallocateEvictedStatements(handle, &control)
        counters.statements += 1
        guard statements.isEnabled else { return try runUnnamed(text, bindings, handle, &control) }
        let key = PreparedStatementCache.Key(text: text, types: bindings.types)
        let outsideTransaction = handle.isIdleOutsideTransaction
        do {
            return try runPrepared(key, bindings, handle, &control)
        } catch let error as PostgresError where Self.invalidatesPreparedStatement(error) {
            forgetInvalidated(key, error)
            guard outsideTransaction, handle.isIdleOutsideTransaction else { throw error }
            logger.debug("re-preparing a statement the server invalidated", metadata: ["tusk_sqlstate": "\(error.sqlState)"])
            return try runPrepared(key, bindings, handle, &control)
        }
    }

    /// Prepares `key` unless it is cached, executes it and reads its result.
    private func runPrepared(_ key: PreparedStatementCache.Key, _ bindings: PostgresBindings, _ handle: PGConnectionHandle,
                             _ control: inout OperationControl) throws -> QueryResult {
        let name: String
        var plans: DecodingPlanCache?
        if let cached = statements.lookup(key) {
            name = cached.name
            plans = cached.plans
        } else {
            name = statements.makeName()
            guard handle.sendPrepare(name: name, text: key.text, types: bindings.types) else {
                throw handle.lostError("could not send a statement")
            }
            counters.roundTrips += 1
            counters.preparedStatements += 1
            try handle.flush(&control)
            _ = try collectResults(handle, &control, query: key.text)
            if let evicted = statements.record(key, name: name) { pendingDeallocations.append(evicted) }
            plans = statements.lookup(key)?.plans
        }
        guard handle.sendQueryPrepared(name: name, bindings: bindings) else {
            throw handle.lostError("could not send a statement")
        }
        counters.roundTrips += 1
        try handle.flush(&control)
        return try finish(handle, &control, key.text, plans: plans)
    }

    private func finish(_ handle: PGConnectionHandle, _ control: inout OperationControl, _ text: String,
                        plans: DecodingPlanCache? = nil) throws -> QueryResult {
        guard let result = try collectResults(handle, &control, query: text) else {
            throw configuration.target.error(.protocolViolation, "the server sent no result")
        }
        return QueryResult(storage: result, plans: plans)
    }

    /// Sends `DEALLOCATE` for statements evicted from the cache — only outside a transaction.
    ///
    /// Inside one, a DEALLOCATE would join the transaction: in an aborted transaction it fails
    /// (25P02) and takes the place of the ROLLBACK that had to run. Evicted names wait for the
    /// next statement outside a transaction instead; a statement the server already dropped
    /// (`DISCARD ALL`) is simply forgotten.
    func deallocateEvictedStatements(_ handle: PGConnectionHandle, _ control: inout OperationControl) throws {
        guard !pendingDeallocations.isEmpty, handle.isIdleOutsideTransaction else { return }
        while let name = pendingDeallocations.popLast() {
            let text = "DEALLOCATE \(name)"
            guard handle.sendQuery(text, bindings: PostgresBindings()) else { throw handle.lostError("could not deallocate") }
            counters.roundTrips += 1
            try handle.flush(&control)
            do {
                _ = try collectResults(handle, &control, query: text)
            } catch let error as PostgresError {
                // The statement is gone either way; its failure must not fail the caller's.
                logger.debug("DEALLOCATE failed", metadata: ["tusk_sqlstate": "\(error.sqlState)"])
            }
        }
    }

    /// A stale plan (`ALTER TABLE` changed a result type: 0A000 raised by the plan cache's
    /// revalidation) or a statement the server no longer has (26000, after `DISCARD ALL` or
    /// `DEALLOCATE ALL`). Decided by SQLSTATE and the server's routine name, which are never
    /// localized, never by the message text.
    static func invalidatesPreparedStatement(_ error: PostgresError) -> Bool {
        isStalePlan(error) || error.sqlState == .invalidSQLStatementName
    }

    /// A prepared plan whose result type changed under `ALTER TABLE`: 0A000 raised by the plan
    /// cache's revalidation.
    static func isStalePlan(_ error: PostgresError) -> Bool {
        error.sqlState == .featureNotSupported && error.routine == "RevalidateCachedQuery"
    }

    /// Forgets what an invalidation error says is gone: one statement whose plan went stale, or
    /// every statement when the server dropped them all.
    func forgetInvalidated(_ key: PreparedStatementCache.Key, _ error: PostgresError) {
        if error.sqlState == .invalidSQLStatementName {
            statements.removeAll()
            pendingDeallocations.removeAll()
            columnTypeCache.removeAll()
        } else {
            statements.remove(key)
        }
    }

    /// Whether the statement's first keyword is COPY (after white space and comments).
    static func isCopyStatement(_ text: String) -> Bool {
        LeadingKeyword.statement(text, startsWith: "COPY")
    }
}
