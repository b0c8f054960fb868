/// What a ``DatabaseCluster`` write session returned, and where the primary's log stood after its
/// commit: pass ``position`` to a later read that must see the write.
public struct Committed<Value> {
    /// The session body's result.
    public let value: Value
    /// The WAL position after the commit; nil when the session committed nothing (it ended
    /// without a COMMIT).
    public let position: CommitPosition?
}

extension Committed: Sendable where Value: Sendable {}
