import Tusk

/// The table holds ids 1…N; the upsert writes ids N/2+1…3N/2 with changed scores (half update,
/// half insert): Tusk's upsertMany against the server doing the same from generate_series.
struct UpsertWorkload: Workload {
    let name = "upsert"
    let summary = "upsert N rows, half present: upsertMany (unnest, ON CONFLICT DO UPDATE) vs the same from generate_series in psql"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let rows = context.rows(default: 100_000)
        let models = (Int64(rows / 2 + 1)...Int64(rows / 2 + rows)).map { id -> BenchUser in
            var user = BenchUser.row(id)
            user.score = Double(id) * 0.75
            return user
        }
        return try await context.withPool(connections: 1) { pool in
            var results: [BenchResult] = []
            for round in 0..<3 {
                try await context.loadUsers(count: rows)
                context.progress("upsert: tusk.upsertMany \(rows) rows (round \(round + 1))")
                PeakMemory.reset()
                let tusk = try await measure {
                    let affected = try await pool.withSession { session in
                        try await session.repository(BenchUser.self).upsertMany(models, matching: [\.id])
                    }
                    precondition(affected == rows)
                }
                results.keepBest(.rows(name, "tusk.upsertMany", rows: rows, seconds: tusk, peakRSSMiB: PeakMemory.mebibytes()))

                try await context.loadUsers(count: rows)
                context.progress("upsert: reference.serverUpsert \(rows) rows")
                let server = try await measure {
                    try await context.psql("""
                        INSERT INTO bench_users \(BenchUser.serverRows(from: rows / 2 + 1, to: rows / 2 + rows, scoreFactor: 0.75))
                        ON CONFLICT (id) DO UPDATE SET uid = EXCLUDED.uid, email = EXCLUDED.email, name = EXCLUDED.name,
                          age = EXCLUDED.age, score = EXCLUDED.score, active = EXCLUDED.active, created_at = EXCLUDED.created_at
                        """)
                }
                results.keepBest(.rows(name, "reference.serverUpsert", rows: rows, seconds: server))
            }
            results.compare(["tusk.upsertMany": "reference.serverUpsert"])
            return results
        }
    }
}
