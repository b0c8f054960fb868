extension Repository where M: Sluggable {
    // MARK: - Slugs

    /// The row with this slug, or nil.
    ///
    /// ```swift
    /// let article = try await articles.getBySlug("my-title")
    /// ```
    ///
    /// - Throws: the errors of ``getOneOrNone(where:includeDeleted:)``.
    public func getBySlug(_ slug: String, includeDeleted: Bool = false) async throws -> M? {
        try await getOneOrNone(where: .sql("\(ident: M.slugColumn) = \(slug)"), includeDeleted: includeDeleted)
    }

    /// Inserts `model` with a slug of `text` that no other row has — `my-title`, or else
    /// `my-title-2`, `my-title-3`, … — and returns the stored row.
    ///
    /// ```swift
    /// let article = try await articles.add(Article(id: nil, title: "My Title!"), slugFrom: "My Title!")
    /// article.slug   // "my-title", or "my-title-2" when that was taken
    /// ```
    ///
    /// Each attempt is `INSERT … ON CONFLICT (slug) DO NOTHING RETURNING *`: a slug taken, even
    /// by a transaction committing at the same moment, makes the attempt insert nothing — never a
    /// unique violation, which would abort the caller's transaction — and the next suffix is
    /// tried. After a first conflict, one query finds the highest suffix in use, so a popular
    /// title costs a few statements, not one per row before it. Concurrent calls with one title
    /// all succeed, with distinct slugs.
    ///
    /// - Warning: Under repeatable read or serializable isolation, a slug committed after the
    ///   transaction's snapshot is a serialization failure (`40001`), not a conflict: run such
    ///   work in ``ConnectionPool/withTransaction(isolation:readOnly:deferrable:retry:_:)``, which
    ///   retries it.
    /// - Throws: ``RepositoryError`` with `invalidArgument` when `text` has nothing to make a slug
    ///   of (see ``Sluggable/slugify(_:)``) and `notUnique` when the slug column has no unique
    ///   constraint; ``PostgresError`` for another constraint the row violates.
    @discardableResult
    public func add(_ model: M, slugFrom text: String) async throws -> M {
        let base = try M.slugify(text)
        let column = M.slugColumn
        var model = model
        var suffix = 1
        var probed = false
        while true {
            model.slug = M.slug(base, suffix: suffix)
            let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
            var sql = FlushPlan.insert(into: M.tableSQL, row.fields, serverGenerated: M.serverGenerated, managed: .of(M.self))
            sql.append(" ON CONFLICT (\(ident: column)) DO NOTHING RETURNING \(M.rowColumns)")
            if let stored = try await onConflictTarget([column], { try await session.query(sql) }).first {
                let value = try stored.decode(M.self, keyMapping: M.keyMapping)
                try session.remember(value)
                return value
            }
            try Task.checkCancellation()
            if probed {
                suffix += 1
            } else {
                probed = true
                suffix = max(suffix, try await highestSuffix(of: base, column: column)) + 1
            }
        }
    }

    /// The highest `n` of a stored `base-n` (1 for `base` alone, 0 for none). The prefix and the
    /// pattern are bound values; the slug column's characters are ASCII, so lengths agree.
    private func highestSuffix(of base: String, column: String) async throws -> Int {
        let prefix = base + "-"
        let digits = "^[0-9]{1,15}$"
        let sql: SQL = """
            SELECT coalesce(max(CASE WHEN \(ident: column) = \(base) THEN 1 \
            ELSE substr(\(ident: column), \(Int32(prefix.count + 1)))::int8 END), 0) FROM \(M.tableSQL) \
            WHERE \(ident: column) = \(base) \
            OR (left(\(ident: column), \(Int32(prefix.count))) = \(prefix) AND substr(\(ident: column), \(Int32(prefix.count + 1))) ~ \(digits))
            """
        return try await session.scalar(sql, as: Int.self)
    }
}
