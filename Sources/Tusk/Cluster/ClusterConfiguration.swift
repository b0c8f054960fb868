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
    /// How far behind a replica may be to serve any read: the age of the last transaction it
    /// replayed while it holds received WAL it has not replayed yet (0 when it has replayed all
    /// it received). A replica further behind is left out like an unreachable one. nil (the
    /// default): no limit, and no check.
    public var maximumReplicaLag: Duration?
    /// How long a replica that could not be reached, or lagged beyond ``maximumReplicaLag``, is
    /// left out before it is tried again. Default 5 s.
    public var replicaRetryDelay: Duration

    /// Creates a configuration.
    public init(laggingReplica: LaggingReplicaPolicy = .waitThenUsePrimary(.milliseconds(500)),
                maximumReplicaLag: Duration? = nil, replicaRetryDelay: Duration = .seconds(5)) {
        self.laggingReplica = laggingReplica
        self.maximumReplicaLag = maximumReplicaLag
        self.replicaRetryDelay = replicaRetryDelay
    }
}
