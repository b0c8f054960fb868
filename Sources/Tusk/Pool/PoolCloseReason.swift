/// Why the pool closed a connection (the `reason` dimension of its closed-connections metric).
enum PoolCloseReason: String, Sendable, CaseIterable {
    /// It broke, or a check found it dead.
    case broken
    /// It came back inside a transaction, mid-COPY, or otherwise not clean.
    case unclean
    /// Idle past the idle timeout, above the minimum.
    case idleTimeout
    /// Past its (jittered) maximum lifetime.
    case maxLifetime
    /// The pool is closing.
    case poolClosed
}
