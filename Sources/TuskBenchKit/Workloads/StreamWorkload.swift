import TuskModel

/// Every row of bench_users into models, `Codable` (`BenchUser`) and `@Model` (`BenchUserModel`):
/// a server-side cursor (stream) and binary COPY (export), against
/// `psql -c "COPY bench_users TO STDOUT (FORMAT binary)" > /dev/null`.
struct StreamWorkload: Workload {
    let name = "stream"
    let summary = "all rows into Codable and @Model models: stream (cursor) and export (COPY binary) vs psql COPY TO STDOUT > /dev/null; peak RSS"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let rows = context.rows(default: 1_000_000)
        try await context.loadUsers(count: rows)
        return try await context.withPool(connections: 1) { pool in
            var results: [BenchResult] = []
            for round in 0..<2 {
                try await measureStream(BenchUser.self, "tusk.stream", rows: rows, round: round, pool: pool, context: context, into: &results)
                try await measureExport(BenchUser.self, "tusk.export", rows: rows, pool: pool, context: context, into: &results)
                try await measureStream(BenchUserModel.self, "tusk.stream.model", rows: rows, round: round, pool: pool, context: context, into: &results)
                try await measureExport(BenchUserModel.self, "tusk.export.model", rows: rows, pool: pool, context: context, into: &results)

                context.progress("stream: reference.psqlCopyOutBinary \(rows) rows")
                let psql = try await measure {
                    try await Shell.run(context.binDirectory + "/psql", ["-X", "-q", "-d", context.url, "-c", "COPY bench_users TO STDOUT (FORMAT binary)"],
                                  detached: true)
                }
                results.keepBest(.rows(name, "reference.psqlCopyOutBinary", rows: rows, seconds: psql))
            }
            results.compare(["tusk.stream": "reference.psqlCopyOutBinary", "tusk.export": "reference.psqlCopyOutBinary",
                             "tusk.stream.model": "reference.psqlCopyOutBinary", "tusk.export.model": "reference.psqlCopyOutBinary"])
            return results
        }
    }

    /// Every row through a server-side cursor, into `M`.
    private func measureStream<M: Model>(_ type: M.Type, _ strategy: String, rows: Int, round: Int, pool: ConnectionPool,
                                         context: BenchContext, into results: inout [BenchResult]) async throws {
        context.progress("stream: \(strategy) \(rows) rows (round \(round + 1))")
        PeakMemory.reset()
        let seconds = try await measure {
            let count = try await pool.withSession { session in
                var count = 0
                for try await _ in try session.repository(M.self).stream(batchSize: 2_000) { count += 1 }
                return count
            }
            precondition(count == rows)
        }
        results.keepBest(.rows(name, strategy, rows: rows, seconds: seconds, peakRSSMiB: PeakMemory.mebibytes()))
    }

    /// Every row through binary COPY, into `M`.
    private func measureExport<M: Model>(_ type: M.Type, _ strategy: String, rows: Int, pool: ConnectionPool,
                                         context: BenchContext, into results: inout [BenchResult]) async throws {
        context.progress("stream: \(strategy) \(rows) rows")
        PeakMemory.reset()
        let seconds = try await measure {
            let count = try await pool.withSession { session in
                var count = 0
                for try await _ in try session.repository(M.self).export() { count += 1 }
                return count
            }
            precondition(count == rows)
        }
        results.keepBest(.rows(name, strategy, rows: rows, seconds: seconds, peakRSSMiB: PeakMemory.mebibytes()))
    }
}
