import Tusk

/// `SELECT $1::int8` round trips on one connection, one at a time and pipelined, against
/// `pgbench -M prepared -c 1` running the same statement.
struct RoundTripWorkload: Workload {
    let name = "roundtrip"
    let summary = "SELECT $1::int8 on one connection: sequential and pipelined, vs pgbench -M prepared -c 1"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let count = context.rows(default: 10_000)
        return try await context.withConnection { connection in
            for value in 0..<1_000 { _ = try await connection.query("SELECT \(value)::int8") }

            var results: [BenchResult] = []
            // Alternate Tusk and the reference, and keep each one's best run: the machine is shared.
            for _ in 0..<3 {
                context.progress("roundtrip: \(count) sequential")
                let sequential = try await connection.withPinnedExecution {
                    try await measure {
                        for value in 0..<count {
                            let result = try await connection.query("SELECT \(value)::int8")
                            precondition(result.count == 1)
                        }
                    }
                }
                results.keepBest(.queries(name, "tusk.sequential", queries: count, seconds: sequential))

                context.progress("roundtrip: pgbench -c 1 -t \(count)")
                let tps = try await context.pgbench(script: "\\set x random(1, 1000000)\nSELECT :x::int8;\n", clients: 1, threads: 1, transactions: count)
                results.keepBest(.queries(name, "reference.pgbench.c1", queries: count, seconds: Double(count) / tps))

                context.progress("roundtrip: \(count) pipelined")
                let statements: [SQL] = (0..<count).map { "SELECT \($0)::int8" }
                let pipelined = try await measure {
                    let outcomes = try await connection.pipeline(statements)
                    precondition(outcomes.count == count)
                }
                results.keepBest(.queries(name, "tusk.pipelined", queries: count, seconds: pipelined))
            }
            results.compare(["tusk.sequential": "reference.pgbench.c1", "tusk.pipelined": "reference.pgbench.c1"])
            return results
        }
    }
}

extension Array where Element == BenchResult {
    /// Adds `result`, or replaces an earlier run of the same strategy if this one is faster.
    mutating func keepBest(lowerIsBetter: Bool = false, _ result: BenchResult) {
        if let index = firstIndex(where: { $0.workload == result.workload && $0.strategy == result.strategy }) {
            let better = lowerIsBetter ? (result.rate ?? .infinity) < (self[index].rate ?? .infinity)
                                       : (result.rate ?? 0) > (self[index].rate ?? 0)
            if better { self[index] = result }
        } else {
            append(result)
        }
    }
}
