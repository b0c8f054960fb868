extension AutocommitRepository {
    /// See ``Repository/updateWhere(_:set:includeDeleted:returning:)``.
    public func updateWhere<V: Sendable>(_ filter: Filter<M>, set assignments: [Assignment<M>],
                                         returning keyPath: KeyPath<M, V>) async throws -> [V] {
        try await single { try await $0.updateWhere(filter, set: assignments, returning: keyPath) }
    }

    /// See ``Repository/deleteWhere(_:returning:)``.
    public func deleteWhere<V: Sendable>(_ filter: Filter<M>, returning keyPath: KeyPath<M, V>) async throws -> [V] {
        try await single { try await $0.deleteWhere(filter, returning: keyPath) }
    }
}

extension AutocommitRepository {
    /// See ``Repository/deleteMany(ids:returning:)``.
    public func deleteMany<V: Sendable>(ids: [M.ID], returning keyPath: KeyPath<M, V>) async throws -> [V] {
        try await single { try await $0.deleteMany(ids: ids, returning: keyPath) }
    }
}
