import Synchronization
import Tusk

/// `SELECT * FROM bench_users WHERE id = $1` with random ids, decoded into `BenchUser`, from 8
/// tasks on 8 pooled connections and from 1 task on 1 connection, against pgbench running the
/// same statement with the same client counts.
struct PointSelectWorkload: Workload {
    let name = "point-select"
    let summary = "SELECT * FROM bench_users WHERE id = $1, random ids: 8 tasks × 8 pooled connections and 1 × 1, vs pgbench -M prepared"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let rows = context.rows(default: 100_000)
        try await context.loadUsers(count: rows)
        let seconds = max(1, Int(context.duration.rounded()))
        var results: [BenchResult] = []
        let script = "\\set id random(1, \(rows))\nSELECT * FROM bench_users WHERE id = :id;\n"
        for clients in [8, 1] {
            context.progress("point-select: tusk c\(clients) for \(seconds) s")
            let queries = try await runTusk(context, clients: clients, rows: rows, seconds: Double(seconds))
            results.keepBest(.queries(name, "tusk.get.c\(clients)", queries: queries, seconds: Double(seconds)))
            context.progress("point-select: pgbench c\(clients) for \(seconds) s")
            let tps = try context.pgbench(script: script, clients: clients, threads: min(clients, 2), seconds: seconds)
            results.keepBest(BenchResult(workload: name, strategy: "reference.pgbench.c\(clients)", rows: Int(tps * Double(seconds)),
                                         seconds: Double(seconds), queriesPerSecond: tps))
        }
        results.compare(["tusk.get.c8": "reference.pgbench.c8", "tusk.get.c1": "reference.pgbench.c1"])
        return results
    }

    /// Each query is a one-shot repository `get(id:)`: it leases a connection per call, as a
    /// request handler would, and decodes the row into `BenchUser`.
    private func runTusk(_ context: BenchContext, clients: Int, rows: Int, seconds: Double) async throws -> Int {
        var configuration = PoolConfiguration(connection: context.configuration)
        configuration.minConnections = clients
        configuration.maxConnections = clients
        let pool = ConnectionPool(configuration: configuration, logger: BenchContext.quietLogger)
        defer { Task { await pool.close() } }
        // Warm up: open every connection and prepare the statement on each.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    for _ in 0..<200 { _ = try await get(pool, Int64.random(in: 1...Int64(rows))) }
                }
            }
            try await group.waitForAll()
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var count = 0
                    var generator = SystemRandomNumberGenerator()
                    while ContinuousClock.now < deadline {
                        for _ in 0..<64 {
                            let user = try await get(pool, Int64.random(in: 1...Int64(rows), using: &generator))
                            precondition(user != nil)
                        }
                        count += 64
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return total
    }

    private func get(_ pool: ConnectionPool, _ id: Int64) async throws -> BenchUser? {
        try await pool.repository(BenchUser.self).get(id: id)
    }
}
