import CoreMetrics
import Metrics

/// The pool's metrics through swift-metrics (a no-op until the application bootstraps a
/// backend):
///
/// - `<label>_pool_connections{state=idle|in_use|opening}` (gauges)
/// - `<label>_pool_waiters` (gauge)
/// - `<label>_pool_connections_created_total` (counter)
/// - `<label>_pool_connections_closed_total{reason=broken|unclean|idle_timeout|max_lifetime|pool_closed}`
/// - `<label>_pool_acquire_timeouts_total` (counter)
/// - `<label>_pool_acquire_wait_seconds` (timer)
struct PoolMetrics: Sendable {
    let idle: Gauge
    let inUse: Gauge
    let opening: Gauge
    let waiters: Gauge
    let created: Counter
    let closed: [PoolCloseReason: Counter]
    let acquireTimeouts: Counter
    let acquireWait: Timer

    init(label: String, factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        let connections = "\(label)_pool_connections"
        idle = Gauge(label: connections, dimensions: [("state", "idle")], factory: factory)
        inUse = Gauge(label: connections, dimensions: [("state", "in_use")], factory: factory)
        opening = Gauge(label: connections, dimensions: [("state", "opening")], factory: factory)
        waiters = Gauge(label: "\(label)_pool_waiters", factory: factory)
        created = Counter(label: "\(label)_pool_connections_created_total", factory: factory)
        var closed: [PoolCloseReason: Counter] = [:]
        for reason in PoolCloseReason.allCases {
            let name = reason.rawValue.replacing(/([A-Z])/) { "_" + $0.output.1.lowercased() }
            closed[reason] = Counter(label: "\(label)_pool_connections_closed_total", dimensions: [("reason", name)], factory: factory)
        }
        self.closed = closed
        acquireTimeouts = Counter(label: "\(label)_pool_acquire_timeouts_total", factory: factory)
        acquireWait = Timer(label: "\(label)_pool_acquire_wait_seconds", factory: factory)
    }

    func connectionCreated() { created.increment() }
    func connectionClosed(_ reason: PoolCloseReason) { closed[reason]?.increment() }
    func acquireTimedOut() { acquireTimeouts.increment() }
    func acquired(after wait: Duration) { acquireWait.record(duration: wait) }
    func waiting(_ count: Int) { waiters.record(count) }

    func record(_ counts: PoolCounts) {
        idle.record(counts.idle)
        inUse.record(counts.leased)
        opening.record(counts.opening)
        waiters.record(counts.waiters)
    }
}
