import Synchronization

/// A primary and its streaming replicas, each behind a pool: writes go to the primary, reads
/// that can go to a replica do, and a read can ask to see a given commit (read-your-writes).
///
/// ```swift
/// let cluster = DatabaseCluster(primary: primaryPool, replicas: [replicaPool])
/// let written = try await cluster.withWriteSession { session in
///     try await session.repository(Post.self).add(post)
/// }
/// let mine = try await cluster.withReadSession(seeing: written.position) { session in
///     try await session.repository(Post.self).list(where: \.authorID == author)   // sees the new post
/// }
/// ```
///
/// A read that must see a commit checks the replica's `pg_last_wal_replay_lsn()` first; when no
/// replica has replayed it, ``ClusterConfiguration/laggingReplica`` decides: read on the primary,
/// wait for a replica, or throw. A replica that cannot be reached, or lags beyond
/// ``ClusterConfiguration/maximumReplicaLag``, is left out for
/// ``ClusterConfiguration/replicaRetryDelay`` and reads go to the others, or to the
/// primary; finding it down costs its pool's ``PoolConfiguration/acquireTimeout``, so give replica
/// pools a short one. Name the pools (``PoolConfiguration/name``) by role — `primary`, `replica-1` — and their
/// metrics say which is which.
public final class DatabaseCluster: Sendable {
    /// Where writes go.
    public let primary: ConnectionPool
    /// Where reads go when they can, in turn.
    public let replicas: [ConnectionPool]
    /// How reads are routed.
    public let configuration: ClusterConfiguration
    private let routing: Mutex<Routing>

    private struct Routing {
        var next = 0
        var unreachableUntil: [ContinuousClock.Instant?]
    }

    private enum Attempt<T> {
        case served(T)
        /// It has not replayed the position the read must see.
        case behind
        /// It lags beyond ``ClusterConfiguration/maximumReplicaLag``.
        case tooFarBehind
        case unreachable
    }

    /// Creates a cluster over pools the caller owns (and closes).
    public init(primary: ConnectionPool, replicas: [ConnectionPool], configuration: ClusterConfiguration = ClusterConfiguration()) {
        self.primary = primary
        self.replicas = replicas
        self.configuration = configuration
        routing = Mutex(Routing(unreachableUntil: Array(repeating: nil, count: replicas.count)))
    }

    /// Runs `body` in a session on the primary, commits, and returns its result with the WAL
    /// position after the commit (read in COMMIT's own round trip).
    ///
    /// - Throws: as ``ConnectionPool/withSession(isolation:readOnly:deferrable:_:)``.
    public func withWriteSession<T>(isolation: IsolationLevel? = nil, _ body: (Session) async throws -> T) async throws -> Committed<T> {
        var options = Session.TransactionOptions(isolation: isolation, readOnly: false, deferrable: false)
        options.recordsCommitPosition = true
        let (value, position) = try await primary.withSession(options, body)
        return Committed(value: value, position: position)
    }

    /// Runs `body` in a read-only session on a replica — one that has replayed `position`, when
    /// given — or on the primary when no replica can serve it.
    ///
    /// `body` runs once: an error it throws is the caller's, never a reason to try elsewhere.
    ///
    /// - Throws: ``ClusterError`` with `replicaBehind` under
    ///   ``ClusterConfiguration/LaggingReplicaPolicy/waitThenFail(_:)``; `body`'s errors; the
    ///   primary's errors when the read falls back to it.
    public func withReadSession<T>(seeing position: CommitPosition? = nil, _ body: (Session) async throws -> T) async throws -> T {
        var behind: [Int] = []
        for index in candidates() {
            switch try await attempt(on: index, seeing: position, until: nil, body) {
            case .served(let value): return value
            case .behind: behind.append(index)
            case .unreachable, .tooFarBehind: leaveOut(index)
            }
        }
        if let position, let first = behind.first {
            switch configuration.laggingReplica {
            case .usePrimary:
                break
            case .waitThenUsePrimary(let wait), .waitThenFail(let wait):
                switch try await attempt(on: first, seeing: position, until: .now + wait, body) {
                case .served(let value): return value
                case .unreachable, .tooFarBehind: leaveOut(first)
                case .behind: break
                }
                if case .waitThenFail = configuration.laggingReplica {
                    throw ClusterError(.replicaBehind, "no replica replayed \(position) within \(wait)")
                }
            }
        }
        return try await primary.withSession(readOnly: true, body)
    }

    /// The replicas to try, in turn from the next one, without those left out as unreachable.
    private func candidates() -> [Int] {
        let now = ContinuousClock.now
        return routing.withLock { routing in
            let count = routing.unreachableUntil.count
            guard count > 0 else { return [] }
            let start = routing.next % count
            routing.next = (start + 1) % count
            return (0..<count).map { (start + $0) % count }.filter { index in
                guard let until = routing.unreachableUntil[index] else { return true }
                if until <= now {
                    routing.unreachableUntil[index] = nil
                    return true
                }
                return false
            }
        }
    }

    private func leaveOut(_ index: Int) {
        let until = ContinuousClock.now + configuration.replicaRetryDelay
        routing.withLock { $0.unreachableUntil[index] = until }
    }

    /// One try on replica `index`: behind when it has not replayed `position` (by `deadline`,
    /// checking again meanwhile), unreachable when no session could start there.
    private func attempt<T>(on index: Int, seeing position: CommitPosition?, until deadline: ContinuousClock.Instant?,
                            _ body: (Session) async throws -> T) async throws -> Attempt<T> {
        var bodyStarted = false
        do {
            return try await replicas[index].withSession(readOnly: true) { [configuration] session -> Attempt<T> in
                if let limit = configuration.maximumReplicaLag, try await Self.lag(of: session) > limit { return .tooFarBehind }
                if let position, try await !Self.hasReplayed(position, in: session, until: deadline) { return .behind }
                bodyStarted = true
                return .served(try await body(session))
            }
        } catch where !bodyStarted && Self.meansUnreachable(error) {
            return .unreachable
        }
    }

    /// Whether the session's server has replayed `position`, asking again with a growing pause
    /// until `deadline`. A server not in recovery (`NULL`: promoted, or a primary) has everything
    /// it will ever have, so it counts as caught up.
    private static func hasReplayed(_ position: CommitPosition, in session: Session, until deadline: ContinuousClock.Instant?) async throws -> Bool {
        var pause: Duration = .milliseconds(2)
        while true {
            let replayed = try await session.scalar("SELECT pg_last_wal_replay_lsn()::text", as: String?.self)
            guard let replayed else { return true }
            if let replayed = CommitPosition(text: replayed), replayed >= position { return true }
            guard let deadline, ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: min(pause, ContinuousClock.now.duration(to: deadline)))
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    /// How far behind the session's server is: the age of the last transaction it replayed while
    /// it holds received WAL not replayed yet; zero when it has replayed everything it received
    /// (an idle primary sends nothing, which must not look like lag), or when it is no standby.
    /// With a backlog but nothing replayed since it started, it counts as far behind (10⁶ s).
    private static func lag(of session: Session) async throws -> Duration {
        let seconds = try await session.scalar("""
            SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e6) END::float8
            """, as: Double.self)
        return .microseconds(Int64((seconds * 1_000_000).rounded()))
    }

    /// Errors that mean no session could be had on a replica: it is down, unreachable, or out of
    /// connections.
    private static func meansUnreachable(_ error: any Error) -> Bool {
        if error is PoolError { return true }
        guard let error = error as? ConnectionError else { return false }
        return [.connectionRefused, .connectTimeout, .connectFailed, .connectionLost, .serverStarting, .tooManyConnections, .closed]
            .contains(error.code)
    }
}
