extension Repository {
    /// The rows whose `foreignKey` is one of `keys`, loaded in one query (`= ANY($1)`) and grouped
    /// by key — SQLAlchemy's `selectinload`: the children of a whole list of parents without one
    /// query per parent.
    ///
    /// ```swift
    /// let authors = try await session.repository(Author.self).list()
    /// let postsByAuthor = try await session.repository(Post.self).grouped(by: \.authorID, in: authors.compactMap(\.id))
    /// for author in authors { print(author.name, postsByAuthor[author.id ?? 0, default: []].count) }
    /// ```
    public func grouped<Key: PostgresArrayElement & Hashable>(
        by foreignKey: KeyPath<M, Key>, in keys: [Key], orderBy: [Order<M>] = []
    ) async throws -> [Key: [M]] {
        let rows = try await list(where: .in(foreignKey, Array(Set(keys))), orderBy: orderBy, limit: .unbounded)
        return Dictionary(grouping: rows) { $0[keyPath: foreignKey] }
    }

    /// ``grouped(by:in:orderBy:)`` for an optional foreign key; rows whose key is NULL are left out.
    public func grouped<Key: PostgresArrayElement & Hashable>(
        by foreignKey: KeyPath<M, Key?>, in keys: [Key], orderBy: [Order<M>] = []
    ) async throws -> [Key: [M]] {
        let rows = try await list(where: .in(foreignKey, Array(Set(keys))), orderBy: orderBy, limit: .unbounded)
        var groups: [Key: [M]] = [:]
        for row in rows { if let key = row[keyPath: foreignKey] { groups[key, default: []].append(row) } }
        return groups
    }

    /// The rows whose `key` is one of `keys`, in one query, by key — the parent side of a
    /// relation (`posts.map(\.authorID)` → authors by id).
    public func keyed<Key: PostgresArrayElement & Hashable>(by key: KeyPath<M, Key>, in keys: [Key]) async throws -> [Key: M] {
        let rows = try await list(where: .in(key, Array(Set(keys))), limit: .unbounded)
        return Dictionary(rows.map { ($0[keyPath: key], $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// ``keyed(by:in:)`` for an optional key column (a nullable id).
    public func keyed<Key: PostgresArrayElement & Hashable>(by key: KeyPath<M, Key?>, in keys: [Key]) async throws -> [Key: M] {
        let rows = try await list(where: .in(key, Array(Set(keys))), limit: .unbounded)
        var result: [Key: M] = [:]
        for row in rows { if let value = row[keyPath: key], result[value] == nil { result[value] = row } }
        return result
    }
}
