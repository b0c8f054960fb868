import Foundation
import Tusk

/// A unit of work of 1,000 inserts, 500 updates and 500 deletes: flushed in one pipelined round
/// trip, against the same writes one statement at a time, and against the server running the
/// flush's own set-based statements from a psql script (`reference.flushServerOnly`).
struct FlushWorkload: Workload {
    let name = "flush"
    let summary = "1,000 inserts + 500 updates + 500 deletes in one session: pipelined flush vs one statement at a time and vs the flush's statements run by psql -f"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        return try await context.withPool(connections: 1) { pool in
            let base: Int64 = 1_000_000
            var results: [BenchResult] = []
            let existing = (1...Int64(1_000)).map(BenchUser.row)
            let inserts = (1...Int64(1_000)).map { BenchUser.row(base + $0) }
            let script = NSTemporaryDirectory() + "tusk-bench-flush-\(UUID().uuidString).sql"
            let updated = existing.prefix(500).map { user in
                var user = user
                user.score += 1
                return user
            }
            try FlushReferenceScript.script(inserts: inserts, updates: updated, deletes: existing.suffix(500).map(\.id))
                .write(toFile: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: script) }
            for round in 0..<5 {
                try await context.loadUsers(count: 1_000)
                context.progress("flush: reference.flushServerOnly (round \(round + 1))")
                let output = try await Shell.run(context.binDirectory + "/psql",
                                                 ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", context.url, "-o", "/dev/null", "-f", script])
                results.keepBest(.rows(name, "reference.flushServerOnly", rows: 2_000,
                                       seconds: try FlushReferenceScript.totalSeconds(fromTimingOutput: output)))
                for pipelined in [true, false] {
                    try await context.loadUsers(count: 1_000)
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
            // The goal is against the server's own speed; the sequential row keeps the speed-up visible.
            results.compare(["tusk.flush.pipelined": "reference.flushServerOnly", "tusk.flush.sequential": "tusk.flush.pipelined"])
            return results
        }
    }
}
