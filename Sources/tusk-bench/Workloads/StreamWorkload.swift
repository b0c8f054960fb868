import Tusk

/// Every row of bench_users into models: a server-side cursor (stream) and binary COPY (export),
/// against `psql -c "COPY bench_users TO STDOUT (FORMAT binary)" > /dev/null`.
struct StreamWorkload: Workload {
    let name = "stream"
    let summary = "all rows into models: stream (cursor) and export (COPY binary) vs psql COPY TO STDOUT > /dev/null; peak RSS"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let rows = context.rows(default: 1_000_000)
        try await context.loadUsers(count: rows)
        return try await context.withPool(connections: 1) { pool in
            var results: [BenchResult] = []
            for round in 0..<2 {
                context.progress("stream: tusk.stream \(rows) rows (round \(round + 1))")
                PeakMemory.reset()
                let streamed = try await measure {
                    let count = try await pool.withSession { session in
                        var count = 0
                        for try await _ in try session.repository(BenchUser.self).stream(batchSize: 2_000) { count += 1 }
                        return count
                    }
                    precondition(count == rows)
                }
                results.keepBest(.rows(name, "tusk.stream", rows: rows, seconds: streamed, peakRSSMiB: PeakMemory.mebibytes()))

                context.progress("stream: tusk.export \(rows) rows")
                PeakMemory.reset()
                let exported = try await measure {
                    let count = try await pool.withSession { session in
                        var count = 0
                        for try await _ in try session.repository(BenchUser.self).export() { count += 1 }
                        return count
                    }
                    precondition(count == rows)
                }
                results.keepBest(.rows(name, "tusk.export", rows: rows, seconds: exported, peakRSSMiB: PeakMemory.mebibytes()))

                context.progress("stream: reference.psqlCopyOutBinary \(rows) rows")
                let psql = try await measure {
                    try await Shell.run(context.binDirectory + "/psql", ["-X", "-q", "-d", context.url, "-c", "COPY bench_users TO STDOUT (FORMAT binary)"],
                                  detached: true)
                }
                results.keepBest(.rows(name, "reference.psqlCopyOutBinary", rows: rows, seconds: psql))
            }
            results.compare(["tusk.stream": "reference.psqlCopyOutBinary", "tusk.export": "reference.psqlCopyOutBinary"])
            return results
        }
    }
}
