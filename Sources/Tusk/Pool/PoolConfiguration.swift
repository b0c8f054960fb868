import CoreMetrics

/// How a ``ConnectionPool`` sizes, checks and retires its connections.
///
/// ```swift
/// var configuration = PoolConfiguration(connection: try .fromEnvironment())
/// configuration.minConnections = 2
/// configuration.maxConnections = 20
/// configuration.acquireTimeout = .seconds(5)
/// configuration.connection.settings["statement_timeout"] = "30s"
/// let pool = ConnectionPool(configuration: configuration)
/// ```
public struct PoolConfiguration: Sendable {
    /// How each connection connects, and its session settings (`statement_timeout`,
    /// `search_path`, time zone — UTC by default) sent at connection start.
    public var connection: ConnectionConfiguration
    /// Connections kept open and warm even when idle. Default 1.
    public var minConnections: Int
    /// The most connections the pool opens. Default 10.
    public var maxConnections: Int
    /// How long an acquire waits before failing with ``PoolError/Code/timeout``. Default 30 s.
    public var acquireTimeout: Duration
    /// Idle connections beyond the minimum close after this long. nil keeps them. Default 10 min.
    public var idleTimeout: Duration?
    /// Connections are retired after this long (never while leased), each with a random
    /// shortening of up to ``maxLifetimeJitter`` so they do not all reconnect at once. nil keeps
    /// them forever. Default 30 min.
    public var maxLifetime: Duration?
    /// The fraction of ``maxLifetime`` by which each connection's lifetime is randomly shortened.
    /// Default 0.1.
    public var maxLifetimeJitter: Double
    /// How a connection is checked before it is handed out.
    public var healthCheck: HealthCheck
    /// How failed connects are retried.
    public var connectRetry: ConnectRetry
    /// A lease held longer than this is logged as a possible leak (once per lease). nil disables.
    public var leakThreshold: Duration?
    /// Whether a connection that comes back clean is reset with `DISCARD ALL` before the next
    /// lessee gets it. Default false.
    ///
    /// Without it, what one lessee changed for the rest of the server session stays for the next:
    /// settings made with `SET` (`search_path`, `statement_timeout`…), `SET ROLE` and
    /// `SET SESSION AUTHORIZATION`, temporary tables, session-level advisory locks, `LISTEN`
    /// registrations, cursors declared `WITH HOLD`, and prepared statements. What is always
    /// reset: an open or failed transaction and an unfinished COPY (the connection is closed
    /// instead of reused). With it, all of the above are reset to the connection's start-up
    /// state — the ``ConnectionConfiguration/settings`` sent at connect time stay — and the
    /// connection's prepared-statement cache is cleared with the server's statements. It costs
    /// one round trip per release, and every statement is prepared again after each lease.
    public var resetSessionOnRelease: Bool
    /// Whether a session whose connection is lost while `COMMIT` is in flight asks the server,
    /// over a new connection, what became of its transaction, instead of throwing
    /// ``SessionError/Code/commitOutcomeUnknown`` at once. Default true.
    ///
    /// It costs one tiny statement in the commit's round trip: `SELECT
    /// pg_current_xact_id_if_assigned()` travels in the same pipeline as `COMMIT`, so the
    /// session knows its transaction's id (PostgreSQL 13 or later; on older servers nothing is
    /// sent and nothing is resolved). See ``lostCommitResolutionTimeout``.
    public var resolvesLostCommits: Bool
    /// How long a session may spend learning the outcome of a commit whose connection was lost:
    /// connecting again (the server may be restarting) and waiting for the old backend to finish.
    /// Past it, the error is ``SessionError/Code/commitOutcomeUnknown``. Default 15 s.
    public var lostCommitResolutionTimeout: Duration
    /// The pool's name: the `db.client.connection.pool.name` attribute of its metrics, so that
    /// an app with several pools can tell them apart. Default `tusk`.
    public var name: String
    /// Where the pool's metrics go; nil (the default) uses the bootstrapped `MetricsSystem`.
    public var metricsFactory: (any MetricsFactory)?
    /// How long ``ConnectionPool/run()`` lets leases in flight finish once graceful shutdown
    /// begins, before it closes their connections under them. Default 30 s.
    public var shutdownGracePeriod: Duration

    /// Checks on a connection that has been idle.
    public struct HealthCheck: Sendable {
        /// A connection idle at least this long is checked without a round trip (libpq reads
        /// whatever the server sent while idle — a termination notice or end of file). Default 0:
        /// every lease (a single `poll`).
        public var checkAfterIdle: Duration
        /// A connection idle at least this long is pinged (an empty statement, one round trip)
        /// before it is handed out; nil never pings. Default 60 s.
        public var pingAfterIdle: Duration?

        /// Creates a health-check policy.
        public init(checkAfterIdle: Duration = .zero, pingAfterIdle: Duration? = .seconds(60)) {
            self.checkAfterIdle = checkAfterIdle
            self.pingAfterIdle = pingAfterIdle
        }
    }

    /// Exponential backoff with jitter between failed connects.
    public struct ConnectRetry: Sendable {
        /// The first delay. Default 50 ms.
        public var initialBackoff: Duration
        /// The longest delay. Default 1 s, so a pool recovers within about a second of the server
        /// accepting connections again.
        public var maximumBackoff: Duration

        /// Creates a retry policy.
        public init(initialBackoff: Duration = .milliseconds(50), maximumBackoff: Duration = .seconds(1)) {
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// Creates a configuration with the defaults above.
    public init(connection: ConnectionConfiguration) {
        self.connection = connection
        minConnections = 1
        maxConnections = 10
        acquireTimeout = .seconds(30)
        idleTimeout = .seconds(600)
        maxLifetime = .seconds(1800)
        maxLifetimeJitter = 0.1
        healthCheck = HealthCheck()
        connectRetry = ConnectRetry()
        leakThreshold = nil
        resetSessionOnRelease = false
        resolvesLostCommits = true
        lostCommitResolutionTimeout = .seconds(15)
        name = "tusk"
        metricsFactory = nil
        shutdownGracePeriod = .seconds(30)
    }
}
