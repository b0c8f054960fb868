extension AutocommitRepository {
    // MARK: - Streaming

    /// Runs `body` with every matching row as a stream read through a server-side cursor, at
    /// most two batches of `batchSize` rows in memory (see ``Repository/stream(where:orderBy:batchSize:includeDeleted:)``).
    ///
    /// ```swift
    /// let total = try await posts.stream(where: \.views > 100) { rows in
    ///     var total = 0
    ///     for try await post in rows { total += Int(post.views) }
    ///     return total
    /// }
    /// ```
    ///
    /// A cursor lives in a transaction, and the transaction on a leased connection: both last
    /// exactly as long as `body`. However `body` ends — after the last row, after a `break`, by
    /// throwing, or by its task's cancellation — the read-only transaction ends, the cursor with
    /// it, and the connection goes back to the pool. The stream must not escape `body`.
    ///
    /// - Throws: `body`'s error; ``RepositoryError`` for an unknown column, before anything is
    ///   sent; the errors of ``ConnectionPool/withSession(isolation:readOnly:deferrable:_:)``.
    public func stream<T>(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], batchSize: Int = 1_000,
                          _ body: (RowStream<M>) async throws -> T) async throws -> T {
        try await pool.withSession(readOnly: true) { session in
            try await body(try session.repository(M.self).stream(where: filter, orderBy: orderBy, batchSize: batchSize))
        }
    }
}
