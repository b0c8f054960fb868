/// Pages and refresh for autocommit repositories.
extension AutocommitRepository {
    /// See ``Repository/list(where:orderBy:limitOffset:includeDeleted:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limitOffset: LimitOffset) async throws -> [M] {
        try await single { try await $0.list(where: filter, orderBy: orderBy, limitOffset: limitOffset) }
    }

    /// See ``Repository/page(where:orderBy:limitOffset:includeDeleted:)``. Its count comes from
    /// the same snapshot as its rows.
    public func page(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limitOffset: LimitOffset) async throws -> Page<M> {
        // A page past the end asks for the count in a second statement: one transaction keeps
        // both on one snapshot.
        try await run { try await $0.page(where: filter, orderBy: orderBy, limitOffset: limitOffset) }
    }

    /// See ``Repository/page(where:orderBy:after:limit:includeDeleted:)``.
    public func page(where filter: Filter<M>? = nil, orderBy: [Order<M>], after cursor: PageCursor?,
                     limit: Int = LimitOffset.defaultLimit) async throws -> KeysetPage<M> {
        try await single { try await $0.page(where: filter, orderBy: orderBy, after: cursor, limit: limit) }
    }

    /// See ``Repository/refresh(_:)``.
    public func refresh(_ model: M) async throws -> M { try await single { try await $0.refresh(model) } }
}
