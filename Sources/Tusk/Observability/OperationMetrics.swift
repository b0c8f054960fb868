import CoreMetrics
import Metrics
import Synchronization

/// A connection's `db.client.operation.duration` timers, one per distinct set of dimensions,
/// each made the first time it is needed (swift-metrics backends expect a metric to be made once
/// and reused).
final class OperationMetrics: Sendable {
    private let factory: any MetricsFactory
    /// `db.system.name`, `db.namespace`, `server.address`, `server.port`.
    private let connectionDimensions: [(String, String)]
    private let timers = Mutex<[OperationTimerKey: Timer]>([:])

    init(factory: (any MetricsFactory)?, endpoint: DatabaseEndpoint) {
        self.factory = factory ?? MetricsSystem.factory
        var dimensions: [(String, String)] = [("db.system.name", "postgresql")]
        if let namespace = endpoint.namespace { dimensions.append(("db.namespace", namespace)) }
        if let address = endpoint.address { dimensions.append(("server.address", address)) }
        if let port = endpoint.port { dimensions.append(("server.port", String(port))) }
        connectionDimensions = dimensions
    }

    /// Records one operation's duration under `db.operation.name` and, for a failure,
    /// `error.type`.
    func record(_ duration: Duration, operation: String?, errorType: String?) {
        let key = OperationTimerKey(operation: operation, errorType: errorType)
        let timer = timers.withLock { timers -> Timer in
            if let timer = timers[key] { return timer }
            var dimensions = connectionDimensions
            if let operation { dimensions.append(("db.operation.name", operation)) }
            if let errorType { dimensions.append(("error.type", errorType)) }
            let timer = Timer(label: "db.client.operation.duration", dimensions: dimensions,
                              preferredDisplayUnit: .seconds, factory: factory)
            timers[key] = timer
            return timer
        }
        timer.record(duration: duration)
    }
}

/// The dimensions that vary between a connection's `db.client.operation.duration` timers.
struct OperationTimerKey: Hashable, Sendable {
    var operation: String?
    var errorType: String?
}
