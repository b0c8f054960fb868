extension AutocommitRepository {
    // MARK: - Unique rows

    /// See ``Repository/getOrUpsert(_:matching:update:)``: committed when it returns.
    public func getOrUpsert(_ model: M, matching: [PartialKeyPath<M>],
                            update: Repository<M>.UpsertUpdate = .allColumns) async throws -> (model: M, created: Bool) {
        // Each statement is atomic by itself, the retry included: no transaction is needed.
        try await single { try await $0.getOrUpsert(model, matching: matching, update: update) }
    }
}

extension AutocommitRepository where M: Sluggable {
    // MARK: - Slugs

    /// See ``Repository/getBySlug(_:includeDeleted:)``.
    public func getBySlug(_ slug: String) async throws -> M? {
        try await single { try await $0.getBySlug(slug) }
    }

    /// See ``Repository/add(_:slugFrom:)``: committed when it returns.
    @discardableResult
    public func add(_ model: M, slugFrom text: String) async throws -> M {
        // An attempt that conflicts inserts nothing, so each may commit by itself.
        try await single { try await $0.add(model, slugFrom: text) }
    }
}
