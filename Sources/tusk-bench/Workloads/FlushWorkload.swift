import Tusk

/// A unit of work of 1,000 inserts, 500 updates and 500 deletes: flushed in one pipelined round
/// trip, against the same writes one statement at a time.
struct FlushWorkload: Workload {
    let name = "flush"
    let summary = "1,000 inserts + 500 updates + 500 deletes in one session: pipelined flush vs one statement at a time"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        return try await context.withPool(connections: 1) { pool in
            let base: Int64 = 1_000_000
            var results: [BenchResult] = []
            for round in 0..<5 {
                for pipelined in [true, false] {
                    try await context.loadUsers(count: 1_000)
                    let existing = (1...Int64(1_000)).map(BenchUser.row)
                    let inserts = (1...Int64(1_000)).map { BenchUser.row(base + $0) }
                    context.progress("flush: \(pipelined ? "pipelined" : "sequential") (round \(round + 1))")
                    let seconds = try await measure {
                        try await pool.withSession { session in
                            let users = session.repository(BenchUser.self)
                            if pipelined {
                                for user in inserts { session.add(user) }
                                for var user in existing.prefix(500) { user.score += 1; session.update(user) }
                                for user in existing.suffix(500) { session.delete(user) }
                                try await session.flush()
                            } else {
                                for user in inserts { try await users.add(user) }
                                for var user in existing.prefix(500) { user.score += 1; try await users.update(user) }
                                for user in existing.suffix(500) { try await users.delete(user) }
                            }
                        }
                    }
                    results.keepBest(.rows(name, pipelined ? "tusk.flush.pipelined" : "tusk.flush.sequential", rows: 2_000, seconds: seconds))
                }
            }
            results.compare(["tusk.flush.pipelined": "tusk.flush.sequential"])
            return results
        }
    }
}
