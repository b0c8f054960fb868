extension ConnectionPool {
    /// Leases a connection, runs `body` in one transaction, and commits when it returns — or rolls
    /// back when it throws or the task is cancelled. Nothing of a rolled-back session is visible
    /// to anyone.
    ///
    /// ```swift
    /// let order = try await pool.withSession(isolation: .repeatableRead) { session in
    ///     let orders = session.repository(Order.self)
    ///     return try await orders.add(Order(customerID: id, total: 42))
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - isolation: the isolation level; nil uses the server's default (read committed).
    ///   - readOnly: a read-only transaction.
    ///   - deferrable: with `serializable` and `readOnly`, waits for a snapshot that cannot fail.
    ///   - body: the session's work; its result is returned after the commit.
    /// - Throws: `body`'s error, ``SessionError`` from the commit, and the errors of
    ///   ``withConnection(pinned:_:)``.
    @discardableResult
    public func withSession<T>(
        isolation: IsolationLevel? = nil,
        readOnly: Bool = false,
        deferrable: Bool = false,
        _ body: (Session) async throws -> T
    ) async throws -> T {
        try await withSession(Session.TransactionOptions(isolation: isolation, readOnly: readOnly, deferrable: deferrable), body).value
    }

    /// ``withSession(isolation:readOnly:deferrable:_:)`` with these options; also returns the
    /// commit's WAL position when the options ask for it.
    func withSession<T>(_ options: Session.TransactionOptions, _ body: (Session) async throws -> T)
        async throws -> (value: T, position: CommitPosition?) {
        try await withConnection { connection in
            var options = options
            if configuration.resolvesLostCommits { options.commitResolutionTimeout = configuration.lostCommitResolutionTimeout }
            let session = Session(connection: connection, options: options)
            do {
                let result = try await body(session)
                if session.isActive { try await session.commit() }
                return (result, session.commitPosition)
            } catch {
                await session.rollbackQuietly()
                throw error
            }
        }
    }

    /// A session without an explicit transaction: each statement commits by itself. Used by
    /// one-shot repository calls that are a single statement, which need no BEGIN/COMMIT round trip.
    func withAutocommitSession<T>(_ body: (Session) async throws -> T) async throws -> T {
        try await withConnection { connection in
            let session = Session(connection: connection,
                                  options: .init(isolation: nil, readOnly: false, deferrable: false, autocommit: true))
            let result = try await body(session)
            if session.isActive { try await session.commit() }
            return result
        }
    }

    /// ``withSession(isolation:readOnly:deferrable:_:)``, run again from the start on
    /// serialization failure (40001) and deadlock (40P01), up to `retry.maxAttempts` times with
    /// jittered backoff. Every other error — and an unknown commit outcome — is thrown at once.
    /// Each attempt is a fresh transaction; a failed attempt leaves nothing behind.
    ///
    /// ```swift
    /// try await pool.withTransaction(isolation: .serializable) { session in
    ///     let balance = try await session.scalar("SELECT balance FROM accounts WHERE id = \(from)", as: Int64.self)
    ///     try await session.execute("UPDATE accounts SET balance = \(balance - amount) WHERE id = \(from)")
    /// }
    /// ```
    @discardableResult
    public func withTransaction<T>(
        isolation: IsolationLevel? = nil,
        readOnly: Bool = false,
        deferrable: Bool = false,
        retry: RetryPolicy = .default,
        _ body: (Session) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withSession(isolation: isolation, readOnly: readOnly, deferrable: deferrable, body)
            } catch where attempt < retry.maxAttempts && RetryPolicy.isRetryable(error) {
                attempt += 1
                try await Task.sleep(for: retry.backoff(beforeAttempt: attempt))
            }
        }
    }
}
