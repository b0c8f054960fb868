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
    /// describe undone changes).
    public func withSavepoint<T>(_ body: () async throws -> T) async throws -> T {
        try await flush()
        savepointDepth += 1
        let name = "tusk_savepoint_\(savepointDepth)"
        defer { savepointDepth -= 1 }
        try await execute("SAVEPOINT \(unsafeRaw: name)")
        do {
            let result = try await body()
            try await flush()
            try await execute("RELEASE SAVEPOINT \(unsafeRaw: name)")
            return result
        } catch {
            dropPendingWrites()
            identityMap.removeAll()
            guard isActive else { throw error }
            do {
                _ = try await connection.run("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)", timeout: .seconds(30), cancellable: false)
                state = .active
            } catch {
                // The connection is gone or the savepoint too: the transaction stays failed.
            }
            throw error
        }
    }
}
