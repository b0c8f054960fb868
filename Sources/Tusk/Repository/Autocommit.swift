/// The pool's autocommit face: repositories whose every call commits on its own.
///
/// ```swift
/// let users = pool.autocommit.repository(User.self)
/// let ada = try await users.add(User(id: nil, email: "ada@example.com", displayName: "Ada"))   // committed
/// ```
///
/// The name says the durability: a call through it is committed when it returns. A
/// session's ``Session/repository(_:)`` never commits by itself.
public struct Autocommit: Sendable {
    /// The pool each call leases from.
    public let pool: ConnectionPool

    /// A repository whose every call commits on its own (a short transaction per call).
    public func repository<M: Model>(_ type: M.Type) -> AutocommitRepository<M> {
        AutocommitRepository(pool: pool)
    }
}

extension ConnectionPool {
    /// Repositories whose every call commits on its own: `pool.autocommit.repository(User.self)`.
    public var autocommit: Autocommit { Autocommit(pool: self) }
}
