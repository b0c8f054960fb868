import Foundation
import Tusk

/// Loading `bench_users`: Tusk's COPY from a lazy AsyncSequence, row-by-row inserts, multi-row
/// VALUES and unnest, against psql's `\copy … (FORMAT binary)` of the same rows and the server's
/// own `INSERT … SELECT … FROM generate_series` (no client at all).
struct InsertWorkload: Workload {
    let name = "insert"
    let summary = "load bench_users: COPY binary, row by row, multi-row VALUES, unnest; vs psql \\copy binary and INSERT…SELECT"

    /// Rows 1…count, produced one at a time: nothing is held in memory.
    struct LazyUsers: AsyncSequence {
        let count: Int
        func makeAsyncIterator() -> Iterator { Iterator(count: count) }
        struct Iterator: AsyncIteratorProtocol {
            let count: Int
            var next: Int64 = 1
            mutating func next() async -> BenchUser? {
                guard next <= count else { return nil }
                defer { next += 1 }
                return BenchUser.row(next)
            }
        }
    }

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let rows = context.rows(default: 1_000_000)
        let file = NSTemporaryDirectory() + "tusk-bench-users-\(UUID().uuidString).copy"
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The reference's input file, prepared before timing.
        try await context.loadUsers(count: rows)
        try await context.psql("\\copy bench_users TO '\(file)' (FORMAT binary)")

        return try await context.withPool(connections: 1, warm: 1) { pool in

            var results: [BenchResult] = []
            for round in 0..<2 {
                try await context.resetUsers()
                context.progress("insert: tusk.addMany \(rows) rows (round \(round + 1))")
                PeakMemory.reset()
                let copy = try await measure {
                    let copied = try await pool.withSession { session in
                        try await session.repository(BenchUser.self).addMany(LazyUsers(count: rows))
                    }
                    precondition(copied == rows)
                }
                results.keepBest(.rows(name, "tusk.addMany", rows: rows, seconds: copy, peakRSSMiB: PeakMemory.mebibytes()))

                try await context.resetUsers()
                context.progress("insert: reference.psqlCopyBinary \(rows) rows")
                let psql = try await measure { try await context.psql("\\copy bench_users FROM '\(file)' (FORMAT binary)") }
                results.keepBest(.rows(name, "reference.psqlCopyBinary", rows: rows, seconds: psql))

                try await context.resetUsers()
                context.progress("insert: reference.serverInsertSelect \(rows) rows")
                let server = try await measure { try await context.psql("INSERT INTO bench_users \(BenchUser.serverRows(from: 1, to: rows))") }
                results.keepBest(.rows(name, "reference.serverInsertSelect", rows: rows, seconds: server))
            }

            let sample = min(rows, 10_000)
            let models = (1...Int64(sample)).map(BenchUser.row)
            try await context.resetUsers()
            context.progress("insert: tusk.rowByRow \(sample) rows in one transaction")
            let rowByRow = try await measure {
                try await pool.withSession { session in
                    let users = session.repository(BenchUser.self)
                    for model in models { try await users.add(model) }
                }
            }
            results.keepBest(.rows(name, "tusk.rowByRow", rows: sample, seconds: rowByRow))

            let multiCount = min(rows, 100_000)
            let multiModels = (1...Int64(multiCount)).map(BenchUser.row)
            try await context.resetUsers()
            context.progress("insert: tusk.multiValues \(multiCount) rows")
            let multi = try await measure {
                try await pool.withSession { session in
                    // 8 parameters a row: at most 8,191 rows a statement (65,535 parameters).
                    for chunk in stride(from: 0, to: multiModels.count, by: 8_000) {
                        let slice = multiModels[chunk..<min(chunk + 8_000, multiModels.count)]
                        let values = SQL.join(slice.map { user -> SQL in
                            "(\(user.id), \(user.uid), \(user.email), \(user.name), \(user.age), \(user.score), \(user.active), \(user.createdAt))"
                        }, separator: ", ")
                        try await session.execute("INSERT INTO bench_users (id, uid, email, name, age, score, active, created_at) VALUES \(values)")
                    }
                }
            }
            results.keepBest(.rows(name, "tusk.multiValues", rows: multiCount, seconds: multi))

            try await context.resetUsers()
            context.progress("insert: tusk.unnest \(multiCount) rows")
            let unnest = try await measure {
                try await pool.withSession { session in
                    _ = try await session.repository(BenchUser.self).addMany(multiModels, returning: \.id, chunkSize: 20_000)
                }
            }
            results.keepBest(.rows(name, "tusk.unnest", rows: multiCount, seconds: unnest))

            results.compare(["tusk.addMany": "reference.psqlCopyBinary", "tusk.rowByRow": "reference.psqlCopyBinary",
                             "tusk.multiValues": "reference.psqlCopyBinary", "tusk.unnest": "reference.psqlCopyBinary",
                             "reference.serverInsertSelect": "reference.psqlCopyBinary"])
            return results
        }
    }
}

extension BenchUser: Model {
    static let tableName = "bench_users"
    static let serverGenerated: Set<String> = []
}
