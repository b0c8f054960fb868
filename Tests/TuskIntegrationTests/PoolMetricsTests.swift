import CoreMetrics
import MetricsTestKit
import Testing
import Tusk
import TuskTestSupport

/// The pool's and the connections' metrics under the OpenTelemetry database-client names,
/// captured with swift-metrics' `TestMetrics` passed as the pool's factory.
@Suite struct PoolMetricsTests {
    @Test func thePoolReportsUnderTheOpenTelemetryNames() async throws {
        let metrics = TestMetrics()
        let poolName = "metrics-\(Int.random(in: 1000...9999))"
        try await TestDatabase.withPool(min: 1, max: 3, configure: {
            $0.metricsFactory = metrics
            $0.name = poolName
        }) { pool, _ in
            let pool_ = ("db.client.connection.pool.name", poolName)
            try await waitUntil { pool.statistics.idle == 1 }
            try await pool.withConnection { connection in
                _ = try await connection.query("SELECT 1")
                let used = try metrics.expectGauge("db.client.connection.count", [pool_, ("db.client.connection.state", "used")])
                #expect(used.lastValue == 1)
            }
            #expect(try metrics.expectGauge("db.client.connection.max", [pool_]).lastValue == 3)
            #expect(try metrics.expectGauge("db.client.connection.idle.min", [pool_]).lastValue == 1)
            let idle = try metrics.expectGauge("db.client.connection.count", [pool_, ("db.client.connection.state", "idle")])
            #expect(idle.lastValue == 1)
            #expect(try metrics.expectGauge("db.client.connection.pending_requests", [pool_]).lastValue == 0)
            #expect(try metrics.expectTimer("db.client.connection.create_time", [pool_]).values.count == 1)
            #expect(try metrics.expectTimer("db.client.connection.wait_time", [pool_]).values.count >= 1)
            #expect(try metrics.expectTimer("db.client.connection.use_time", [pool_]).values.count >= 1)
            let operations = metrics.timers.filter { $0.label == "db.client.operation.duration" }
            let select = try #require(operations.first { timer in timer.dimensions.contains { $0 == "db.operation.name" && $1 == "SELECT" } })
            #expect(select.dimensions.contains { $0 == "db.system.name" && $1 == "postgresql" })
            #expect(select.values.count >= 1)
        }
    }

    @Test func anAcquireThatTimesOutIsCounted() async throws {
        let metrics = TestMetrics()
        try await TestDatabase.withPool(min: 1, max: 1, configure: {
            $0.metricsFactory = metrics
            $0.name = "timeouts"
            $0.acquireTimeout = .milliseconds(200)
        }) { pool, _ in
            // Warm: the first lease must not wait for a connect that a loaded machine makes slow.
            try await waitUntil { pool.statistics.idle == 1 }
            try await pool.withConnection { _ in
                await #expect(throws: PoolError.self) {
                    try await pool.withConnection { _ in }
                }
            }
            let timeouts = try metrics.expectCounter("db.client.connection.timeouts", [("db.client.connection.pool.name", "timeouts")])
            #expect(timeouts.totalValue == 1)
        }
    }

    @Test func aFailedOperationIsTimedUnderItsErrorType() async throws {
        let metrics = TestMetrics()
        try await TestDatabase.withPool(max: 1, configure: { $0.metricsFactory = metrics }) { pool, _ in
            try await pool.withConnection { connection in
                await #expect(throws: PostgresError.self) {
                    _ = try await connection.query("SELECT 1/0")
                }
            }
            let failed = metrics.timers.first { timer in
                timer.label == "db.client.operation.duration" && timer.dimensions.contains { $0 == "error.type" && $1 == "22012" }
            }
            #expect(failed?.values.count == 1)
        }
    }
}
