/// A model added to a session, waiting for the next flush; afterwards it holds the row as the
/// server stored it (generated ids, defaults).
///
/// ```swift
/// let pending = session.add(User(id: nil, email: "ada@example.com"))
/// try await session.flush()
/// let id = try pending.get().id   // assigned by the server
/// ```
public final class PendingInsert<M: Model> {
    /// The model as added.
    public let model: M
    /// The stored row, after a successful flush.
    public internal(set) var stored: M?

    init(model: M) {
        self.model = model
    }

    /// The stored row.
    ///
    /// - Throws: ``SessionError`` with code `flushFailed` when the session has not flushed it.
    public func get() throws -> M {
        guard let stored else {
            throw SessionError(.flushFailed, message: "the insert into \(M.entityName) has not been flushed yet")
        }
        return stored
    }
}

@available(*, unavailable, message: "a PendingInsert belongs to its session's task")
extension PendingInsert: Sendable {}
