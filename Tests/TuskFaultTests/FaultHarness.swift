import CoreMetrics
import Foundation
import Logging
import Testing
import Tusk
import TuskTestSupport

#if canImport(Glibc)
import Glibc
#endif

enum Faults {
    /// A pool on a fresh schema whose connections carry a unique application_name.
    static func withPool<T>(
        min: Int = 0, max: Int = 4, acquireTimeout: Duration = .seconds(10), settings: [String: String] = [:],
        logger: Logger = Logger(label: "tusk.fault"), metrics: (any MetricsFactory)? = nil,
        configure: (inout PoolConfiguration) -> Void = { _ in },
        _ body: (ConnectionPool, String, String) async throws -> T
    ) async throws -> T {
        let schema = "tusk_fault_\(UUID().uuidString.prefix(8).lowercased())"
        let name = "tusk-fault-\(UUID().uuidString.prefix(8))"
        let setup = try await Connection.connect(to: Server.configuration)
        try await setup.execute("CREATE SCHEMA \(ident: schema)")
        await setup.close()
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.connection.applicationName = name
        configuration.connection.settings["search_path"] = schema
        for (key, value) in settings { configuration.connection.settings[key] = value }
        configuration.minConnections = min
        configuration.maxConnections = max
        configuration.acquireTimeout = acquireTimeout
        configuration.metricsFactory = metrics
        configure(&configuration)
        let pool = ConnectionPool(configuration: configuration, logger: logger)
        // A fresh connection for the clean-up: the test may have restarted the server.
        func dropSchema() async throws {
            let admin = try await Connection.connect(to: Server.configuration)
            try await admin.execute("DROP SCHEMA \(ident: schema) CASCADE")
            await admin.close()
        }
        do {
            let result = try await body(pool, schema, name)
            await pool.close(gracePeriod: .seconds(5))
            try await dropSchema()
            return result
        } catch {
            await pool.close(gracePeriod: .seconds(5))
            try? await dropSchema()
            throw error
        }
    }

    /// Terminates the backends of `application`, optionally only those in `state`, waiting until
    /// they are gone. Returns how many.
    @discardableResult
    static func terminate(application: String, state: String? = nil) async throws -> Int {
        let admin = try await Connection.connect(to: Server.configuration)
        defer { Task { await admin.close() } }
        let condition: SQL = state.map { "AND state = \($0)" } ?? ""
        return try await admin.query(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = \(application) \(condition)").count
    }

    /// Rows of `table` in `schema`, seen from a fresh connection.
    static func count(_ table: String, in schema: String, where condition: SQL = "TRUE") async throws -> Int {
        let admin = try await Connection.connect(to: Server.configuration)
        defer { Task { await admin.close() } }
        return try await admin.query("SELECT count(*) FROM \(ident: schema, table) WHERE \(condition)")[0].decode(Int.self, at: 0)
    }

    /// The number of backends of `application` in `state` (running `query`, when given).
    static func backends(application: String, state: String, query: String? = nil) async throws -> Int {
        let admin = try await Connection.connect(to: Server.configuration)
        defer { Task { await admin.close() } }
        let running: SQL = query.map { " AND query = \($0)" } ?? ""
        return try await admin.query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = \(application) AND state = \(state)\(running)")[0].decode(Int.self, at: 0)
    }
}

/// Records every metric label and dimension the pool creates.
final class CapturingMetricsFactory: MetricsFactory, Sendable {
    let labels = Locked<[String]>([])

    private func record(_ label: String, _ dimensions: [(String, String)]) {
        labels.withLock { $0.append(label + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { record(label, dimensions); return NoOp() }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler { record(label, dimensions); return NoOp() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { record(label, dimensions); return NoOp() }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { record(label, dimensions); return NoOp() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { record(label, dimensions); return NoOp() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    final class NoOp: CounterHandler, FloatingPointCounterHandler, RecorderHandler, MeterHandler, TimerHandler, Sendable {
        func increment(by: Int64) {}
        func increment(by: Double) {}
        func reset() {}
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func set(_ value: Int64) {}
        func set(_ value: Double) {}
        func decrement(by: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}

/// A TCP server that answers libpq's SSLRequest with 'N' (no TLS here), then closes: a server
/// without TLS, for `sslmode=require`.
final class NoTLSServer: Sendable {
    private let listener: LoopbackListener

    /// The port it listens on.
    var port: Int { listener.port }

    init() throws {
        let listener = try LoopbackListener(backlog: 8)
        self.listener = listener
        Thread.detachNewThread {
            while true {
                let client = accept(listener.descriptor, nil, nil)
                if client < 0 { return }
                var request = [UInt8](repeating: 0, count: 8)
                _ = read(client, &request, 8)
                var answer: UInt8 = UInt8(ascii: "N")
                _ = write(client, &answer, 1)
                Glibc.close(client)
            }
        }
    }

    func stop() { listener.close() }
}
