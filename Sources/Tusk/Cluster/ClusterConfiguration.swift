/// How a ``DatabaseCluster`` routes reads.
public struct ClusterConfiguration: Sendable {
    /// What a read that must see a commit does when no replica has replayed it yet.
    public enum LaggingReplicaPolicy: Sendable, Hashable {
        /// Read on the primary at once.
        case usePrimary
        /// Wait for a replica to catch up, up to this long, then read on the primary.
        case waitThenUsePrimary(Duration)
        /// Wait for a replica to catch up, up to this long, then throw ``ClusterError/Code/replicaBehind``.
        case waitThenFail(Duration)
    }

    /// Default: wait up to 500 ms for a replica, then read on the primary.
    public var laggingReplica: LaggingReplicaPolicy
    /// How long a replica that could not be reached is left out before it is tried again.
    /// Default 5 s.
    public var unreachableReplicaRetryDelay: Duration

    /// Creates a configuration.
    public init(laggingReplica: LaggingReplicaPolicy = .waitThenUsePrimary(.milliseconds(500)),
                unreachableReplicaRetryDelay: Duration = .seconds(5)) {
        self.laggingReplica = laggingReplica
        self.unreachableReplicaRetryDelay = unreachableReplicaRetryDelay
    }
}
