import Foundation
import Tusk

/// `SELECT * FROM bench_users WHERE id = $1` with random ids, decoded into `BenchUser`, from 8
/// tasks on 8 pooled connections and from 1 task on 1 connection, against pgbench running the
/// same statement with the same client counts. `tusk.raw.c8` runs the statement on a leased
/// connection and decodes by hand: `tusk.get` over `tusk.raw` is the repository's own overhead.
/// Each strategy also reports the client's CPU time and context switches per query (pgbench's
/// from its own process), from `getrusage` over the timed region.
struct PointSelectWorkload: Workload {
    let name = "point-select"
    let summary = "SELECT * FROM bench_users WHERE id = $1, random ids: 8 tasks × 8 pooled connections (repository and raw) and 1 × 1, vs pgbench -M prepared"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let rows = context.rows(default: 100_000)
        try await context.loadUsers(count: rows)
        let seconds = max(1, Int(context.duration.rounded()))
        var results: [BenchResult] = []
        let script = "\\set id random(1, \(rows))\nSELECT * FROM bench_users WHERE id = :id;\n"
        for clients in [8, 1] {
            for (strategy, query) in [("get", Self.get), ("raw", Self.rawGet)] {
                context.progress("point-select: tusk \(strategy) c\(clients) for \(seconds) s")
                let (queries, usage) = try await runTusk(context, clients: clients, rows: rows, seconds: Double(seconds), query: query)
                var result = BenchResult.queries(name, "tusk.\(strategy).c\(clients)", queries: queries, seconds: Double(seconds))
                result.details = usage.perOperation(queries)
                results.keepBest(result)
            }
            context.progress("point-select: pgbench c\(clients) for \(seconds) s")
            let before = ResourceUsage.children()
            let tps = try await context.pgbench(script: script, clients: clients, threads: min(clients, 2), seconds: seconds)
            let queries = Int(tps * Double(seconds))
            results.keepBest(BenchResult(workload: name, strategy: "reference.pgbench.c\(clients)", rows: queries,
                                         seconds: Double(seconds), queriesPerSecond: tps,
                                         details: (ResourceUsage.children() - before).perOperation(queries)))
        }
        results.compare(["tusk.get.c8": "reference.pgbench.c8", "tusk.raw.c8": "reference.pgbench.c8",
                         "tusk.get.c1": "reference.pgbench.c1", "tusk.raw.c1": "reference.pgbench.c1"])
        return results
    }

    /// Runs `query` with random ids from `clients` tasks for `seconds`; returns how many ran. Each
    /// query leases a connection per call, as a request handler would.
    private func runTusk(_ context: BenchContext, clients: Int, rows: Int, seconds: Double,
                         query: @escaping @Sendable (ConnectionPool, Int64) async throws -> BenchUser?) async throws -> (Int, ResourceUsage) {
        try await context.withPool(connections: clients, warm: clients) { pool in
            // Warm up: open every connection and prepare the statement on each.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        for _ in 0..<200 { _ = try await query(pool, Int64.random(in: 1...Int64(rows))) }
                    }
                }
                try await group.waitForAll()
            }
            let before = ResourceUsage.process()
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        var count = 0
                        var generator = SystemRandomNumberGenerator()
                        while ContinuousClock.now < deadline {
                            for _ in 0..<64 {
                                let user = try await query(pool, Int64.random(in: 1...Int64(rows), using: &generator))
                                precondition(user != nil)
                            }
                            count += 64
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            return (total, ResourceUsage.process() - before)
        }
    }

    /// The repository's one-shot `get(id:)`, decoding through `Codable`.
    @Sendable private static func get(_ pool: ConnectionPool, _ id: Int64) async throws -> BenchUser? {
        try await pool.autocommit.repository(BenchUser.self).get(id: id)
    }

    /// The same statement on a leased connection, decoded by hand: no repository, no `Codable`.
    @Sendable private static func rawGet(_ pool: ConnectionPool, _ id: Int64) async throws -> BenchUser? {
        try await pool.withConnection { connection in
            let result = try await connection.query("SELECT * FROM bench_users WHERE id = \(id)")
            guard let row = result.first else { return nil }
            return BenchUser(id: try row.decode(Int64.self, at: 0), uid: try row.decode(UUID.self, at: 1),
                             email: try row.decode(String.self, at: 2), name: try row.decode(String.self, at: 3),
                             age: try row.decode(Int32.self, at: 4), score: try row.decode(Double.self, at: 5),
                             active: try row.decode(Bool.self, at: 6), createdAt: try row.decode(Date.self, at: 7))
        }
    }
}
