import CoreMetrics
import Metrics

/// The pool's metrics through swift-metrics (a no-op until the application bootstraps a
/// backend), under the OpenTelemetry database-client names. Every metric carries
/// `db.client.connection.pool.name` (``PoolConfiguration/name``); `Docs/Observability.md` has the
/// table.
///
/// - `db.client.connection.count{db.client.connection.state=idle|used}` (gauges)
/// - `db.client.connection.max`, `db.client.connection.idle.min` (gauges, the configuration)
/// - `db.client.connection.pending_requests` (gauge: tasks waiting for a connection)
/// - `db.client.connection.timeouts` (counter: acquires that timed out)
/// - `db.client.connection.create_time`, `db.client.connection.wait_time`,
///   `db.client.connection.use_time` (timers)
/// - `tusk.client.connection.closed{reason=…}` (counter; no OpenTelemetry name exists)
struct PoolMetrics: Sendable {
    static let poolNameKey = "db.client.connection.pool.name"

    let idle: Gauge
    let used: Gauge
    let maximum: Gauge
    let idleMinimum: Gauge
    let pendingRequests: Gauge
    let timeouts: Counter
    let createTime: Timer
    let waitTime: Timer
    let useTime: Timer
    let closed: [PoolCloseReason: Counter]

    init(poolName: String, maxConnections: Int, minConnections: Int, factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        let pool = (Self.poolNameKey, poolName)
        idle = Gauge(label: "db.client.connection.count", dimensions: [pool, ("db.client.connection.state", "idle")], factory: factory)
        used = Gauge(label: "db.client.connection.count", dimensions: [pool, ("db.client.connection.state", "used")], factory: factory)
        maximum = Gauge(label: "db.client.connection.max", dimensions: [pool], factory: factory)
        idleMinimum = Gauge(label: "db.client.connection.idle.min", dimensions: [pool], factory: factory)
        pendingRequests = Gauge(label: "db.client.connection.pending_requests", dimensions: [pool], factory: factory)
        timeouts = Counter(label: "db.client.connection.timeouts", dimensions: [pool], factory: factory)
        createTime = Timer(label: "db.client.connection.create_time", dimensions: [pool], preferredDisplayUnit: .seconds, factory: factory)
        waitTime = Timer(label: "db.client.connection.wait_time", dimensions: [pool], preferredDisplayUnit: .seconds, factory: factory)
        useTime = Timer(label: "db.client.connection.use_time", dimensions: [pool], preferredDisplayUnit: .seconds, factory: factory)
        var closed: [PoolCloseReason: Counter] = [:]
        for reason in PoolCloseReason.allCases {
            let name = reason.rawValue.replacing(/([A-Z])/) { "_" + $0.output.1.lowercased() }
            closed[reason] = Counter(label: "tusk.client.connection.closed", dimensions: [pool, ("reason", name)], factory: factory)
        }
        self.closed = closed
        maximum.record(maxConnections)
        idleMinimum.record(minConnections)
    }

    func connectionCreated(after duration: Duration) { createTime.record(duration: duration) }
    func connectionClosed(_ reason: PoolCloseReason) { closed[reason]?.increment() }
    func acquireTimedOut() { timeouts.increment() }
    func acquired(after wait: Duration) { waitTime.record(duration: wait) }
    func released(after use: Duration) { useTime.record(duration: use) }
    func waiting(_ count: Int) { pendingRequests.record(count) }

    func record(_ counts: PoolCounts) {
        idle.record(counts.idle)
        used.record(counts.leased)
        pendingRequests.record(counts.waiters)
    }
}
