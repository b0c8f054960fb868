extension AutocommitRepository {
    // MARK: - Keyset pages

    /// See ``Repository/list(where:orderBy:after:limit:includeDeleted:)``: one statement.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>], after cursor: M, limit: ListLimit = .default) async throws -> [M] {
        try await single { try await $0.list(where: filter, orderBy: orderBy, after: cursor, limit: limit) }
    }
}
