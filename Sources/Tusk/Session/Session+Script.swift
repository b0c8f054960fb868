extension Session {
    /// Runs a script of one or more statements separated by semicolons inside the session's
    /// transaction, through the simple query protocol (text results, no parameters): schema
    /// migrations, `CREATE` batches.
    ///
    /// ```swift
    /// try await pool.withSession { session in
    ///     try await session.executeScript("""
    ///         CREATE TABLE tags (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
    ///         CREATE INDEX tags_name_lower ON tags (lower(name));
    ///         """)
    /// }
    /// ```
    ///
    /// The script joins the transaction like any statement: it commits with the session, or
    /// nothing of it remains. So a script may not control the transaction itself: a statement
    /// that begins with `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`… anywhere in it is refused
    /// before anything is sent. Statements that cannot run inside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`, `VACUUM`) fail on the server.
    ///
    /// - Throws: ``SessionError`` with `invalidUsage` for a transaction-control statement (and,
    ///   should one slip past the check, when the script left the session's transaction: the
    ///   session then only rolls back), ``PostgresEncodingError`` when `sql` binds values (a
    ///   script cannot) or an identifier is invalid, `beginFailed`, and the errors of
    ///   ``Connection/executeScript(_:timeout:)`` for the first statement that fails (the
    ///   transaction then fails).
    public func executeScript(_ sql: SQL, timeout: Duration? = nil) async throws {
        try checkUsable()
        try sql.validate()
        guard sql.bindings.count == 0 else {
            throw PostgresEncodingError(.unsupportedValue, "a script cannot bind values; use execute for statements with parameters")
        }
        let text = sql.text
        if let keyword = TransactionControl.keyword(inScript: text) {
            throw SessionError(.invalidUsage,
                               message: "a script cannot contain \(keyword): the session owns its transaction; use commit(), rollback() or withSavepoint")
        }
        // A simple query cannot travel in a pipeline behind BEGIN: it goes first, alone.
        try await ensureBegun()
        let plan = try transaction.statementRequested()
        if let token = plan.abandonCopy { await abandonExport(token) }
        do {
            try await connection.executeScript(sql, timeout: timeout)
        } catch {
            transaction.statementFailed(error, status: serverStatus)
            throw error
        }
        transaction.statementSucceeded(plan)
        // The scan reads statements the way psql does; the server's own status is the proof.
        if !options.autocommit && serverStatus != .inTransaction {
            let error = SessionError(.invalidUsage, message: "the script ended the session's transaction; the session can only roll back")
            transaction.unitOfWorkFailed(error, connectionLost: serverStatus == .lost)
            throw error
        }
    }
}
