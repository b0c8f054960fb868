/// A ``RepositoryService``'s calls inside one session's transaction, as handed to the body of
/// ``RepositoryService/transaction(isolation:_:)``. It never commits: the transaction ends when
/// the body returns.
///
/// ```swift
/// try await posts.transaction { posts in
///     let post = try await posts.create(NewPost(authorID: ada, title: "Hello", body: "…"))
///     try await posts.update(id: post.id, with: PostPatch(title: "Hello!", body: nil))
///     _ = try await posts.session.repository(Author.self).get(id: ada)   // the same transaction
/// }
/// ```
public struct SessionService<M: Model> {
    /// The repository the calls go through, in the session's transaction.
    public let repository: Repository<M>
    let matchFields: [any PartialKeyPath<M> & Sendable]

    /// The session whose transaction the calls run in: other repositories of it share the
    /// transaction.
    public var session: Session { repository.session }

    init(session: Session, matchFields: [any PartialKeyPath<M> & Sendable]) {
        repository = session.repository(M.self)
        self.matchFields = matchFields
    }

    // MARK: - Writes from DTOs

    /// Inserts a row from `data`, whose fields are some of the model's (see
    /// ``RepositoryService/create(_:)``), and returns it as stored.
    ///
    /// - Throws: ``RepositoryError`` with `unknownColumn` for a field that is no column of the
    ///   model, before anything is sent; ``PostgresError`` for a constraint (a NOT NULL column the
    ///   DTO leaves out, a unique violation).
    public func create(_ data: some Encodable) async throws -> M {
        let sql = ServiceData.insert(try ServiceData.fields(of: data, for: M.self), into: M.self)
        guard let row = try await stored(sql) else {
            throw SessionError(.flushFailed, message: "the insert into \(M.entityName) returned no row")
        }
        return row
    }

    /// Writes `data`'s fields, and only those, to the row with key `id`; returns it as stored.
    ///
    /// - Throws: ``NotFoundError`` when there is no such row; ``RepositoryError`` as
    ///   ``create(_:)``, and `invalidArgument` for a key field that differs from `id`.
    @discardableResult
    public func update(id: M.ID, with data: some Encodable) async throws -> M {
        let key = try M.keyFields(forID: id)
        guard let sql = try ServiceData.update(try ServiceData.fields(of: data, for: M.self), key: key, of: M.self) else {
            // Nothing to write (every DTO field nil): the row as it is, as a PATCH of {} answers.
            guard let row = try await repository.get(id: id) else {
                throw NotFoundError(entity: M.entityName, criteria: FlushPlan.keyCondition(key).text)
            }
            return row
        }
        guard let row = try await stored(sql) else { throw NotFoundError(entity: M.entityName, criteria: FlushPlan.keyCondition(key).text) }
        return row
    }

    /// Inserts `data`, or updates the row with the same ``RepositoryService/matchFields`` with
    /// `data`'s other fields (see ``Repository/getOrUpsert(_:matching:update:)``: atomic, and no
    /// unique violation on the match fields).
    ///
    /// - Throws: ``RepositoryError`` with `invalidArgument` when the service has no match fields
    ///   or `data` lacks one of them, `notUnique` when they are not a unique constraint, and as
    ///   ``create(_:)``.
    @discardableResult
    public func upsert(_ data: some Encodable) async throws -> M {
        let plan = try Repository<M>.UpsertPlan(matching: matchFields.map { $0 }, update: .allColumns, condition: nil)
        let fields = try ServiceData.fields(of: data, for: M.self)
        for column in plan.matchColumns where fields.first(where: { $0.column == column })?.bytes == nil {
            throw RepositoryError(.invalidArgument, "\(type(of: data)) has no value for match column \(column.debugDescription) of \(M.entityName)")
        }
        return try await repository.upsertRow(fields, plan: plan).model
    }

    // MARK: - Reads and deletes

    /// See ``Repository/get(id:refresh:)``.
    public func get(id: M.ID) async throws -> M? { try await repository.get(id: id) }
    /// See ``Repository/getOne(where:includeDeleted:)``.
    public func getOne(where filter: Filter<M>) async throws -> M { try await repository.getOne(where: filter) }
    /// See ``Repository/list(where:orderBy:limit:offset:includeDeleted:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default, offset: Int = 0) async throws -> [M] {
        try await repository.list(where: filter, orderBy: orderBy, limit: limit, offset: offset)
    }
    /// See ``Repository/listAndCount(where:orderBy:limit:offset:includeDeleted:)``.
    public func listAndCount(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default,
                             offset: Int = 0) async throws -> (items: [M], total: Int) {
        try await repository.listAndCount(where: filter, orderBy: orderBy, limit: limit, offset: offset)
    }
    /// See ``Repository/count(where:includeDeleted:)``.
    public func count(where filter: Filter<M>? = nil) async throws -> Int { try await repository.count(where: filter) }
    /// See ``Repository/exists(where:includeDeleted:)``.
    public func exists(where filter: Filter<M>? = nil) async throws -> Bool { try await repository.exists(where: filter) }
    /// See ``Repository/delete(id:)``.
    @discardableResult
    public func delete(id: M.ID) async throws -> Bool { try await repository.delete(id: id) }

    // MARK: - Private

    /// The row a `RETURNING *` statement wrote, remembered by the session.
    private func stored(_ sql: SQL) async throws -> M? {
        guard let row = try await session.query(sql).first else { return nil }
        let value = try row.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }
}

@available(*, unavailable, message: "a SessionService works in its session's task")
extension SessionService: Sendable {}
