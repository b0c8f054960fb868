import Tusk

/// The reliability workload: the ``Ledger`` on a pool of 8–16 connections for `--duration`
/// seconds (at least 5), the server restarted once when tusk-bench owns it. Any broken invariant
/// is counted and reported.
struct LedgerWorkload: Workload {
    let name = "ledger"
    let summary = "16 tasks transfer money under SERIALIZABLE + retry while backends are killed and the server restarts; invariants checked"

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let ledger = Ledger(connect: { try await context.connect() }, restartServer: context.restartServer)
        try await ledger.createTables()
        let applicationName = "tusk-bench-ledger"
        let seconds = max(5, context.duration)
        context.progress("ledger: \(Int(seconds)) s, \(ledger.tasks) tasks, chaos on\(context.restartServer == nil ? " (no restart: external server)" : "")")
        let report = try await context.withPool(connections: 16, warm: 8, configure: {
            $0.connection.applicationName = applicationName
            $0.acquireTimeout = .seconds(5)
        }) { pool in
            try await ledger.run(pool: pool, applicationName: applicationName, for: .milliseconds(Int64(seconds * 1000)))
        }
        try await ledger.dropTables()

        let elapsed = Double(report.elapsed.components.seconds)
        var result = BenchResult(workload: name, strategy: "tusk.ledger", rows: report.committed.count, seconds: elapsed,
                                 value: Double(report.committed.count) / max(elapsed, 1), unit: "transfers/s")
        result.details = [
            "faultsInjected": Double(report.faultsInjected),
            "committed": Double(report.committed.count),
            "failed": Double(report.failed.count),
            "retries": Double(report.retries),
            "unknownOutcomes": Double(report.unknownOutcomes),
            "unknownReadOnly": Double(report.unknownReadOnly),
            "invariantViolations": Double(report.invariantViolations),
        ]
        return [result]
    }
}
