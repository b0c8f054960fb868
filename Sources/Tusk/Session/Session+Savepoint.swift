extension Session {
    /// Runs `body` inside a savepoint: when it throws, only its work is rolled back (the rest of
    /// the transaction carries on) and the error is rethrown. Savepoints nest to any depth.
    ///
    /// ```swift
    /// try await session.withSavepoint {
    ///     try await session.execute("INSERT INTO imports VALUES (\(row))")
    /// }   // a bad row rolls back to here, not the whole transaction
    /// ```
    ///
    /// Pending writes are flushed before the savepoint and before it is released; writes queued
    /// inside a savepoint that rolls back are dropped, and so is the identity map (its rows may
    /// describe undone changes). When the rollback to the savepoint itself fails, the whole
    /// transaction is failed: it can then only roll back.
    ///
    /// - Throws: `body`'s error, and the errors of ``flush()`` and ``execute(_:timeout:)``.
    public func withSavepoint<T>(_ body: () async throws -> T) async throws -> T {
        try await flush()
        let name = "tusk_savepoint_\(transaction.savepointOpened())"
        defer { transaction.savepointClosed() }
        _ = try await runUnchecked("SAVEPOINT \(unsafeRaw: name)")
        do {
            let result = try await body()
            try await flush()
            _ = try await runUnchecked("RELEASE SAVEPOINT \(unsafeRaw: name)")
            return result
        } catch {
            dropPendingWrites()
            identityMap.removeAll()
            guard transaction.canRollBackToSavepoint else { throw error }
            do {
                _ = try await connection.runTransactionControl("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)", timeout: .seconds(30))
                transaction.rolledBackToSavepoint()
            } catch let rollbackError {
                // The savepoint is gone, or the connection: what the body did cannot be undone
                // alone, so nothing of the transaction may commit.
                transaction.unitOfWorkFailed(rollbackError, connectionLost: serverStatus == .lost)
            }
            throw error
        }
    }
}
