/// Reading a row back after the server changed it.
extension Repository {
    /// The row as the server has it now, read by `model`'s primary key: what triggers, defaults
    /// and other transactions wrote. The session's identity map then holds the fresh row, so a
    /// later ``update(_:)`` diffs against it and ``get(id:refresh:)`` returns it. Pending writes
    /// are flushed first, so a row added in this session is found. A soft-deleted row is read
    /// too: it still exists.
    ///
    /// ```swift
    /// let post = try await posts.add(Post(id: nil, authorID: ada.id, title: "Hello", body: "…"))
    /// try await session.execute("UPDATE posts SET views = views + 1 WHERE id = \(post.id)")
    /// let fresh = try await posts.refresh(post)   // fresh.views == 1
    /// ```
    ///
    /// - Throws: ``NotFoundError`` when no row has that key any more; ``RepositoryError`` with
    ///   `invalidArgument` for a model whose key is still NULL (never inserted); the errors of
    ///   ``Session/query(_:timeout:)`` and ``PostgresDecodingError``.
    public func refresh(_ model: M) async throws -> M {
        let key = try M.keyFields(of: EncodedRow(encoding: model, keyMapping: M.keyMapping))
        guard key.allSatisfy({ $0.bytes != nil }) else {
            throw RepositoryError(.invalidArgument, "a \(M.self) without its primary key cannot be refreshed: it was never inserted")
        }
        try await session.flush()
        let condition = FlushPlan.keyCondition(key)
        guard let row = try await session.query("SELECT \(M.rowColumns) FROM \(M.tableSQL) WHERE \(condition)").first else {
            throw NotFoundError(entity: M.entityName, criteria: condition.text)
        }
        let fresh = try row.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(fresh)
        return fresh
    }
}
