import Tusk

/// The pool's own cost: acquire + release of a connection, in nanoseconds per lease, with one task
/// on an uncontended pool and with 64 tasks over 8 connections. The body does nothing, and runs
/// unpinned, so this is the pool alone — no statement, no thread switch.
struct PoolWorkload: Workload {
    let name = "pool"
    let summary = "acquire + release, ns per lease: 1 task uncontended, 64 tasks over 8 connections"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let leases = context.rows(default: 200_000)
        return try await context.withPool(connections: 8, warm: 8) { pool in
            for _ in 0..<1_000 { try await pool.withConnection(pinned: false) { _ in } }

            var results: [BenchResult] = []
            for _ in 0..<3 {
                context.progress("pool: \(leases) uncontended leases")
                let uncontended = try await measure {
                    for _ in 0..<leases { try await pool.withConnection(pinned: false) { _ in } }
                }
                results.keepBest(lowerIsBetter: true, nanoseconds(name, "tusk.pool.uncontended", leases, uncontended))

                context.progress("pool: \(leases) leases by 64 tasks over 8 connections")
                let perTask = leases / 64
                let contended = try await measure {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in 0..<64 {
                            group.addTask {
                                for _ in 0..<perTask {
                                    try await pool.withConnection(pinned: false) { _ in await Task.yield() }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                results.keepBest(lowerIsBetter: true, nanoseconds(name, "tusk.pool.contended", perTask * 64, contended))
            }
            return results
        }
    }

    private func nanoseconds(_ workload: String, _ strategy: String, _ count: Int, _ seconds: Double) -> BenchResult {
        BenchResult(workload: workload, strategy: strategy, rows: count, seconds: seconds,
                    value: seconds * 1e9 / Double(count), unit: "ns/lease")
    }
}
