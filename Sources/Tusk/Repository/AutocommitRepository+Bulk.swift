extension AutocommitRepository {
    // MARK: - Bulk writes, each all or nothing in its own transaction

    /// See ``Repository/addMany(_:chunkBytes:progress:)-(Sequence<M>,_,_)``: one COPY, committed
    /// when it returns; when anything fails, none of the rows remain.
    @discardableResult
    public func addMany(_ models: some Sequence<M>, chunkBytes: Int = 1 << 20, progress: ((Int) -> Void)? = nil) async throws -> Int {
        try await run { try await $0.addMany(models, chunkBytes: chunkBytes, progress: progress) }
    }

    /// See ``Repository/addMany(_:chunkBytes:progress:)-(Models,_,_)``: memory stays bounded
    /// by the chunk size; a producer that throws leaves no row.
    @discardableResult
    public func addMany<Models: AsyncSequence>(_ models: Models, chunkBytes: Int = 1 << 20,
                                               progress: ((Int) -> Void)? = nil) async throws -> Int where Models.Element == M {
        try await run { try await $0.addMany(models, chunkBytes: chunkBytes, progress: progress) }
    }

    /// See ``Repository/addMany(_:returning:chunkSize:)``: every chunk in one transaction.
    public func addMany<V>(_ models: some Sequence<M>, returning keyPath: KeyPath<M, V>, chunkSize: Int = 5_000) async throws -> [V] {
        try await run { try await $0.addMany(models, returning: keyPath, chunkSize: chunkSize) }
    }

    /// See ``Repository/upsert(_:matching:update:where:)``: one statement, its own transaction.
    @discardableResult
    public func upsert(_ model: M, matching: [PartialKeyPath<M>], update: Repository<M>.UpsertUpdate = .allColumns,
                       where condition: Filter<M>? = nil) async throws -> M? {
        try await single { try await $0.upsert(model, matching: matching, update: update, where: condition) }
    }

    /// See ``Repository/upsertMany(_:matching:update:where:chunkSize:)``: every chunk in one transaction.
    @discardableResult
    public func upsertMany(_ models: some Sequence<M>, matching: [PartialKeyPath<M>], update: Repository<M>.UpsertUpdate = .allColumns,
                           where condition: Filter<M>? = nil, chunkSize: Int = 10_000) async throws -> Int {
        try await run { try await $0.upsertMany(models, matching: matching, update: update, where: condition, chunkSize: chunkSize) }
    }

    /// See ``Repository/updateMany(_:columns:chunkSize:)``: every chunk in one transaction.
    @discardableResult
    public func updateMany(_ models: some Sequence<M>, columns: [PartialKeyPath<M>]? = nil, chunkSize: Int = 20_000) async throws -> Int {
        try await run { try await $0.updateMany(models, columns: columns, chunkSize: chunkSize) }
    }
}
