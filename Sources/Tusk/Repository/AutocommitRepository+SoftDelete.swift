extension AutocommitRepository {
    // MARK: - Soft delete

    /// See ``Repository/hardDelete(id:)``: committed when it returns.
    @discardableResult
    public func hardDelete(id: M.ID) async throws -> Bool { try await single { try await $0.hardDelete(id: id) } }

    /// See ``Repository/restore(id:)``: committed when it returns.
    @discardableResult
    public func restore(id: M.ID) async throws -> M? { try await single { try await $0.restore(id: id) } }
}
