/// A service over one model's repository that owns the transaction boundary (Advanced
/// Alchemy's `SQLAlchemyAsyncRepositoryService`): it creates and updates rows from DTOs, upserts
/// by its ``matchFields``, and runs each call in its own transaction — or several in one, with
/// ``transaction(isolation:_:)``. Its repositories never commit; the service does.
///
/// ```swift
/// struct NewAuthor: Encodable { var name: String; var email: String }
/// struct AuthorPatch: Encodable { var name: String?; var active: Bool? }   // nil fields are not sent
///
/// let authors = RepositoryService<Author>(pool: pool, matchFields: [\.email])
/// let ada = try await authors.create(NewAuthor(name: "Ada", email: "ada@example.com"))    // committed
/// try await authors.update(id: ada.id, with: AuthorPatch(name: "Ada Lovelace", active: nil))
/// try await authors.upsert(NewAuthor(name: "Ada L.", email: "ada@example.com"))           // by email
/// try await authors.transaction { authors in                                               // all or nothing
///     try await authors.create(NewAuthor(name: "Grace", email: "grace@example.com"))
///     try await authors.create(NewAuthor(name: "Edsger", email: "edsger@example.com"))
/// }
/// ```
///
/// A DTO is any `Encodable` whose fields are some of the model's: each field maps to the
/// column of the model's property of that name (so the model's `CodingKeys` renames carry
/// over), or else to the model's column named by the model's key mapping. A field that is
/// neither is a ``RepositoryError`` with `unknownColumn`, thrown before anything is sent. A nil
/// field is not written: a create leaves the column to its default, an update leaves it as it
/// is, so a patch DTO of optionals writes only what it sets. To store NULL, use
/// ``Repository/update(id:set:)`` (`.set(\.publishedAt, nil)`).
public struct RepositoryService<M: Model>: Sendable {
    /// The pool each call, or each ``transaction(isolation:_:)``, leases from.
    public let pool: ConnectionPool
    /// The columns ``upsert(_:)`` matches on: a primary key or unique constraint.
    public let matchFields: [any PartialKeyPath<M> & Sendable]

    /// A service over `M`'s rows in `pool`; `matchFields` are what ``upsert(_:)`` matches on.
    public init(pool: ConnectionPool, matchFields: [any PartialKeyPath<M> & Sendable] = []) {
        self.pool = pool
        self.matchFields = matchFields
    }

    /// Runs `body` with the service's calls in one transaction, committed when `body` returns
    /// and rolled back — every call of it — when it throws or its task is cancelled.
    ///
    /// - Throws: `body`'s error, and the errors of ``ConnectionPool/withSession(isolation:readOnly:deferrable:_:)``.
    @discardableResult
    public func transaction<T>(isolation: IsolationLevel? = nil, _ body: (SessionService<M>) async throws -> T) async throws -> T {
        try await pool.withSession(isolation: isolation) { try await body(bound(to: $0)) }
    }

    /// The service's calls in `session`'s transaction: for work across several services or
    /// repositories, `pool.withSession { session in … }`.
    public func bound(to session: Session) -> SessionService<M> {
        SessionService(session: session, matchFields: matchFields)
    }

    /// Each of these is one statement, its own transaction: autocommit, one round trip.
    private func single<T>(_ body: (SessionService<M>) async throws -> T) async throws -> T {
        try await pool.withAutocommitSession { try await body(bound(to: $0)) }
    }

    // MARK: - Writes from DTOs

    /// Inserts a row from `data` and returns it as stored, committed. Columns `data` leaves out
    /// get their defaults.
    ///
    /// - Throws: see ``SessionService/create(_:)``.
    @discardableResult
    public func create(_ data: some Encodable) async throws -> M { try await single { try await $0.create(data) } }

    /// Writes `data`'s fields, and only those, to the row with key `id`; returns it, committed.
    ///
    /// - Throws: see ``SessionService/update(id:with:)``.
    @discardableResult
    public func update(id: M.ID, with data: some Encodable) async throws -> M {
        try await single { try await $0.update(id: id, with: data) }
    }

    /// Inserts `data`, or updates the row with the same ``matchFields``; returns it, committed.
    ///
    /// - Throws: see ``SessionService/upsert(_:)``.
    @discardableResult
    public func upsert(_ data: some Encodable) async throws -> M { try await single { try await $0.upsert(data) } }

    // MARK: - Reads and deletes

    /// See ``Repository/get(id:refresh:)``.
    public func get(id: M.ID) async throws -> M? { try await single { try await $0.get(id: id) } }
    /// See ``Repository/getOne(where:includeDeleted:)``.
    public func getOne(where filter: Filter<M>) async throws -> M { try await single { try await $0.getOne(where: filter) } }
    /// See ``Repository/list(where:orderBy:limit:offset:includeDeleted:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default, offset: Int = 0) async throws -> [M] {
        try await single { try await $0.list(where: filter, orderBy: orderBy, limit: limit, offset: offset) }
    }
    /// See ``Repository/listAndCount(where:orderBy:limit:offset:includeDeleted:)``; one transaction.
    public func listAndCount(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default,
                             offset: Int = 0) async throws -> (items: [M], total: Int) {
        try await transaction { try await $0.listAndCount(where: filter, orderBy: orderBy, limit: limit, offset: offset) }
    }
    /// See ``Repository/count(where:includeDeleted:)``.
    public func count(where filter: Filter<M>? = nil) async throws -> Int { try await single { try await $0.count(where: filter) } }
    /// See ``Repository/exists(where:includeDeleted:)``.
    public func exists(where filter: Filter<M>? = nil) async throws -> Bool { try await single { try await $0.exists(where: filter) } }
    /// See ``Repository/delete(id:)``; committed.
    @discardableResult
    public func delete(id: M.ID) async throws -> Bool { try await single { try await $0.delete(id: id) } }
}
