extension AutocommitRepository where M: HasRelations {
    /// See ``Repository/list(where:orderBy:limit:offset:includeDeleted:load:)``. The rows and
    /// their relations are read in one transaction, so they agree with each other.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default, offset: Int = 0,
                     load: [PartialKeyPath<M>]) async throws -> [M] {
        try await run { try await $0.list(where: filter, orderBy: orderBy, limit: limit, offset: offset, load: load) }
    }

    /// See ``Repository/get(id:refresh:load:)``, in one transaction.
    public func get(id: M.ID, load: [PartialKeyPath<M>]) async throws -> M? {
        try await run { try await $0.get(id: id, load: load) }
    }
}
