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
    ///
    /// Declared relations (``HasRelations``) do this wiring for you:
    /// ``list(where:orderBy:limit:offset:includeDeleted:load:)``.
    public func grouped<Key: PostgresArrayElement & Hashable>(
        by foreignKey: KeyPath<M, Key>, in keys: [Key], orderBy: [Order<M>] = []
    ) async throws -> [Key: [M]] {
        Self.group(try await rows(whereColumnOf: foreignKey, in: keys, orderBy: orderBy)) { $0[keyPath: foreignKey] }
    }

    /// ``grouped(by:in:orderBy:)`` for an optional foreign key; rows whose key is NULL are left out.
    public func grouped<Key: PostgresArrayElement & Hashable>(
        by foreignKey: KeyPath<M, Key?>, in keys: [Key], orderBy: [Order<M>] = []
    ) async throws -> [Key: [M]] {
        Self.group(try await rows(whereColumnOf: foreignKey, in: keys, orderBy: orderBy)) { $0[keyPath: foreignKey] }
    }

    /// The rows whose `key` is one of `keys`, in one query, by key — the parent side of a
    /// relation (`posts.map(\.authorID)` → authors by id).
    public func keyed<Key: PostgresArrayElement & Hashable>(by key: KeyPath<M, Key>, in keys: [Key]) async throws -> [Key: M] {
        Self.index(try await rows(whereColumnOf: key, in: keys)) { $0[keyPath: key] }
    }

    /// ``keyed(by:in:)`` for an optional key column (a nullable id).
    public func keyed<Key: PostgresArrayElement & Hashable>(by key: KeyPath<M, Key?>, in keys: [Key]) async throws -> [Key: M] {
        Self.index(try await rows(whereColumnOf: key, in: keys)) { $0[keyPath: key] }
    }

    // MARK: - Internal

    /// ``grouped(by:in:orderBy:)`` for a relation's key, optional or not.
    func grouped<Key: RelationKey>(byRelationKey foreignKey: KeyPath<M, Key>, in keys: [Key.Matched], orderBy: [Order<M>])
        async throws -> [Key.Matched: [M]] {
        Self.group(try await rows(whereColumnOf: foreignKey, in: keys, orderBy: orderBy)) { $0[keyPath: foreignKey].matchedKey }
    }

    /// ``keyed(by:in:)`` for a relation's key, optional or not.
    func keyed<Key: RelationKey>(byRelationKey key: KeyPath<M, Key>, in keys: [Key.Matched], includeDeleted: Bool)
        async throws -> [Key.Matched: M] {
        Self.index(try await rows(whereColumnOf: key, in: keys, includeDeleted: includeDeleted)) { $0[keyPath: key].matchedKey }
    }

    /// The rows whose `keyPath` column is one of `keys`: one `= ANY($1)` query, none for no keys.
    ///
    /// - Throws: ``RepositoryError`` for a key path that names no column, before anything is sent.
    func rows<Key: PostgresArrayElement & Hashable>(
        whereColumnOf keyPath: AnyKeyPath, in keys: [Key], orderBy: [Order<M>] = [], includeDeleted: Bool = false
    ) async throws -> [M] {
        let column = try ModelSchema.of(M.self).requireColumn(for: keyPath, of: M.self)
        let unique = Array(Set(keys))
        guard !unique.isEmpty else { return [] }
        return try await list(where: .sql("\(ident: column) = ANY(\(unique))"), orderBy: orderBy, limit: .unbounded,
                              includeDeleted: includeDeleted)
    }

    static func group<Key: Hashable>(_ rows: [M], by key: (M) -> Key?) -> [Key: [M]] {
        var groups: [Key: [M]] = [:]
        for row in rows { if let value = key(row) { groups[value, default: []].append(row) } }
        return groups
    }

    static func index<Key: Hashable>(_ rows: [M], by key: (M) -> Key?) -> [Key: M] {
        var result: [Key: M] = [:]
        for row in rows { if let value = key(row), result[value] == nil { result[value] = row } }
        return result
    }
}

extension Repository where M: HasRelations {
    /// ``list(where:orderBy:limit:offset:includeDeleted:)`` with the declared relations in
    /// `load` filled in: one query for the rows, then one `= ANY($1)` query per relation for
    /// all of them, never one per row — Advanced Alchemy's `load=[selectinload(Post.tags)]`.
    ///
    /// ```swift
    /// let recent = try await posts.list(orderBy: [.desc(\.id)], limit: 20, load: [\.author, \.tags])
    /// for post in recent { print(try post.author.get()?.name ?? "?", try post.tags.get().map(\.name)) }
    /// ```
    ///
    /// A relation not in `load` stays not loaded (``Related/isLoaded`` is false).
    ///
    /// - Throws: ``RepositoryError`` for a key path that is not a declared relation (before
    ///   anything is sent), and the errors of ``list(where:orderBy:limit:offset:includeDeleted:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default,
                     offset: Int = 0, includeDeleted: Bool = false, load: [PartialKeyPath<M>]) async throws -> [M] {
        let relations = try M.relations(for: load)
        var models = try await list(where: filter, orderBy: orderBy, limit: limit, offset: offset, includeDeleted: includeDeleted)
        try await fill(relations, of: &models)
        return models
    }

    /// ``get(id:refresh:)`` with the declared relations in `load` filled in, one query each.
    ///
    /// ```swift
    /// let post = try await posts.get(id: 1, load: [\.author, \.tags])
    /// ```
    ///
    /// - Throws: ``RepositoryError`` for a key path that is not a declared relation (before
    ///   anything is sent), and the errors of ``get(id:refresh:)``.
    public func get(id: M.ID, refresh: Bool = false, load: [PartialKeyPath<M>]) async throws -> M? {
        let relations = try M.relations(for: load)
        guard let model = try await get(id: id, refresh: refresh) else { return nil }
        var models = [model]
        try await fill(relations, of: &models)
        return models.first
    }

    /// Fills the declared relations in `relations` of models already loaded, one query each.
    ///
    /// ```swift
    /// var page = try await posts.list(limit: 20)
    /// try await posts.load([\.tags], into: &page)
    /// ```
    ///
    /// - Throws: ``RepositoryError`` for a key path that is not a declared relation (before
    ///   anything is sent), and the errors of ``Session/query(_:timeout:)``.
    public func load(_ relations: [PartialKeyPath<M>], into models: inout [M]) async throws {
        try await fill(try M.relations(for: relations), of: &models)
    }

    private func fill(_ relations: [Relation<M>], of models: inout [M]) async throws {
        guard !models.isEmpty else { return }
        for relation in relations { try await relation.load(&models, session) }
    }
}
