/// A repository whose every call runs in its own short transaction on a pooled connection —
/// Advanced Alchemy's `auto_commit=True`, for simple services. A call that is one statement
/// (`get`, `add`, `updateWhere`, …) runs in autocommit, one round trip; a call of several
/// statements (`listAndCount` past the end, `update` of a model) runs in a transaction. Next to it, the session-bound
/// ``Repository`` never commits by itself and shares one transaction across calls.
///
/// ```swift
/// let users = pool.autocommit.repository(User.self)
/// let ada = try await users.add(User(id: nil, email: "ada@example.com", displayName: "Ada"))   // committed
/// ```
public struct AutocommitRepository<M: Model>: Sendable {
    /// The pool each call leases from.
    public let pool: ConnectionPool

    /// Runs `body` with a session-bound repository in its own transaction.
    public func run<T>(_ body: (Repository<M>) async throws -> T) async throws -> T {
        try await pool.withSession { try await body($0.repository(M.self)) }
    }

    /// Runs one statement: it is its own transaction, so no BEGIN/COMMIT round trip.
    func single<T>(_ body: (Repository<M>) async throws -> T) async throws -> T {
        try await pool.withAutocommitSession { try await body($0.repository(M.self)) }
    }

    /// See ``Repository/get(id:refresh:)``.
    public func get(id: M.ID) async throws -> M? { try await single { try await $0.get(id: id) } }
    /// See ``Repository/getOne(where:includeDeleted:)``.
    public func getOne(where filter: Filter<M>) async throws -> M { try await single { try await $0.getOne(where: filter) } }
    /// See ``Repository/getOneOrNone(where:includeDeleted:)``.
    public func getOneOrNone(where filter: Filter<M>) async throws -> M? { try await single { try await $0.getOneOrNone(where: filter) } }
    /// See ``Repository/list(where:orderBy:limit:offset:includeDeleted:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default, offset: Int = 0) async throws -> [M] {
        try await single { try await $0.list(where: filter, orderBy: orderBy, limit: limit, offset: offset) }
    }
    /// See ``Repository/listAndCount(where:orderBy:limit:offset:includeDeleted:)``.
    public func listAndCount(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default,
                             offset: Int = 0) async throws -> (items: [M], total: Int) {
        try await run { try await $0.listAndCount(where: filter, orderBy: orderBy, limit: limit, offset: offset) }
    }
    /// See ``Repository/count(where:includeDeleted:)``.
    public func count(where filter: Filter<M>? = nil) async throws -> Int { try await single { try await $0.count(where: filter) } }
    /// See ``Repository/exists(where:includeDeleted:)``.
    public func exists(where filter: Filter<M>? = nil) async throws -> Bool { try await single { try await $0.exists(where: filter) } }
    /// See ``Repository/add(_:)``.
    @discardableResult
    public func add(_ model: M) async throws -> M { try await single { try await $0.add(model) } }
    /// See ``Repository/update(_:)``.
    @discardableResult
    public func update(_ model: M) async throws -> M { try await run { try await $0.update(model) } }
    /// See ``Repository/update(id:set:)``.
    @discardableResult
    public func update(id: M.ID, set assignments: [Assignment<M>]) async throws -> M? {
        try await single { try await $0.update(id: id, set: assignments) }
    }
    /// See ``Repository/updateWhere(_:set:includeDeleted:)``.
    @discardableResult
    public func updateWhere(_ filter: Filter<M>, set assignments: [Assignment<M>]) async throws -> Int {
        try await single { try await $0.updateWhere(filter, set: assignments) }
    }
    /// See ``Repository/delete(_:)``.
    @discardableResult
    public func delete(_ model: M) async throws -> Bool { try await single { try await $0.delete(model) } }
    /// See ``Repository/delete(id:)``.
    @discardableResult
    public func delete(id: M.ID) async throws -> Bool { try await single { try await $0.delete(id: id) } }
    /// See ``Repository/deleteWhere(_:)``.
    @discardableResult
    public func deleteWhere(_ filter: Filter<M>) async throws -> Int { try await single { try await $0.deleteWhere(filter) } }
}

extension AutocommitRepository {
    /// See ``Repository/getMany(ids:)``.
    public func getMany(ids: [M.ID]) async throws -> [M] { try await single { try await $0.getMany(ids: ids) } }
    /// See ``Repository/deleteMany(ids:)``.
    @discardableResult
    public func deleteMany(ids: [M.ID]) async throws -> Int { try await single { try await $0.deleteMany(ids: ids) } }
}
