import Foundation
import Synchronization
import Tusk

/// The reliability workload: 16 tasks move money between 1,000 accounts in SERIALIZABLE
/// transactions with retry, logging each transfer, while a chaos task terminates random backends
/// every few hundred milliseconds and restarts the server once. At the end the books must
/// balance: any violation is counted and reported.
struct LedgerWorkload: Workload {
    let name = "ledger"
    let summary = "16 tasks transfer money under SERIALIZABLE + retry while backends are killed and the server restarts; invariants checked"

    final class Tally: Sendable {
        let committed = Mutex<[UUID]>([])
        let failed = Mutex<[UUID]>([])
        let unknown = Mutex(0)
        let retries = Mutex(0)
        let faults = Mutex(0)
    }

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let accounts = 1_000
        let admin = try await context.connect()
        try await admin.executeScript("""
            DROP TABLE IF EXISTS ledger_transfers, ledger_accounts;
            CREATE TABLE ledger_accounts (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
            CREATE TABLE ledger_transfers (id uuid PRIMARY KEY, from_id int NOT NULL, to_id int NOT NULL, amount bigint NOT NULL);
            INSERT INTO ledger_accounts SELECT g, 1000 FROM generate_series(1, \(unsafeRaw: String(accounts))) g
            """)
        await admin.close()
        var configuration = PoolConfiguration(connection: context.configuration)
        configuration.connection.applicationName = "tusk-bench-ledger"
        configuration.minConnections = 8
        configuration.maxConnections = 16
        configuration.acquireTimeout = .seconds(5)
        let pool = ConnectionPool(configuration: configuration, logger: BenchContext.quietLogger)
        let tally = Tally()
        let seconds = max(5, context.duration)
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        context.progress("ledger: \(Int(seconds)) s, 16 tasks, chaos on\(context.restartServer == nil ? " (no restart: external server)" : "")")
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask { await transfer(until: deadline, accounts: accounts, pool: pool, tally: tally) }
            }
            group.addTask { try await chaos(until: deadline, context: context, tally: tally) }
            try await group.waitForAll()
        }
        let elapsed = Double((ContinuousClock.now - start).components.seconds)
        await pool.close()

        // The books: the sum is unchanged, every committed transfer logged once, no failed one
        // logged, and every balance equals its opening plus its logged transfers.
        let check = try await context.connect()
        let committed = tally.committed.withLock { $0 }
        let failed = tally.failed.withLock { $0 }
        var violations = 0
        let total = try await check.query("SELECT sum(balance)::int8 FROM ledger_accounts")[0].decode(Int64.self, at: 0)
        if total != Int64(accounts) * 1_000 { violations += 1 }
        let logged = try await check.query("SELECT count(*) FROM ledger_transfers WHERE id = ANY(\(committed))")[0].decode(Int.self, at: 0)
        violations += committed.count - logged
        violations += try await check.query("SELECT count(*) FROM ledger_transfers WHERE id = ANY(\(failed))")[0].decode(Int.self, at: 0)
        violations += try await check.query("""
            SELECT count(*) FROM ledger_accounts a
            WHERE a.balance <> 1000 - coalesce((SELECT sum(amount) FROM ledger_transfers WHERE from_id = a.id), 0)
                                   + coalesce((SELECT sum(amount) FROM ledger_transfers WHERE to_id = a.id), 0)
            """)[0].decode(Int.self, at: 0)
        try await check.executeScript("DROP TABLE ledger_transfers, ledger_accounts")
        await check.close()

        var result = BenchResult(workload: name, strategy: "tusk.ledger", rows: committed.count, seconds: elapsed,
                                 value: Double(committed.count) / max(elapsed, 1), unit: "transfers/s")
        result.details = [
            "faultsInjected": Double(tally.faults.withLock { $0 }),
            "committed": Double(committed.count),
            "failed": Double(failed.count),
            "retries": Double(tally.retries.withLock { $0 }),
            "unknownOutcomes": Double(tally.unknown.withLock { $0 }),
            "invariantViolations": Double(violations),
        ]
        return [result]
    }

    private func transfer(until deadline: ContinuousClock.Instant, accounts: Int, pool: ConnectionPool, tally: Tally) async {
        while ContinuousClock.now < deadline {
            let id = UUID()
            let from = Int32.random(in: 1...Int32(accounts))
            let to = Int32.random(in: 1...Int32(accounts))
            let amount = Int64.random(in: 1...50)
            var attempts = 0
            do {
                let moved = try await pool.withTransaction(isolation: .serializable) { session in
                    attempts += 1
                    let balance = try await session.scalar("SELECT balance FROM ledger_accounts WHERE id = \(from)", as: Int64.self)
                    guard from != to, balance >= amount else { return false }
                    try await session.execute("UPDATE ledger_accounts SET balance = balance - \(amount) WHERE id = \(from)")
                    try await session.execute("UPDATE ledger_accounts SET balance = balance + \(amount) WHERE id = \(to)")
                    try await session.execute("INSERT INTO ledger_transfers VALUES (\(id), \(from), \(to), \(amount))")
                    return true
                }
                if moved { tally.committed.withLock { $0.append(id) } }
            } catch let error as SessionError where error.code == .commitOutcomeUnknown {
                tally.unknown.withLock { $0 += 1 }
            } catch {
                tally.failed.withLock { $0.append(id) }
                try? await Task.sleep(for: .milliseconds(5))
            }
            tally.retries.withLock { $0 += max(0, attempts - 1) }
        }
    }

    private func chaos(until deadline: ContinuousClock.Instant, context: BenchContext, tally: Tally) async throws {
        let restartAt = deadline - .milliseconds(Int64(max(5, context.duration) * 600))
        var restarted = false
        while ContinuousClock.now < deadline - .seconds(1) {
            try await Task.sleep(for: .milliseconds(Int64.random(in: 150...400)))
            if !restarted, let restart = context.restartServer, ContinuousClock.now > restartAt {
                restarted = true
                try restart()
                tally.faults.withLock { $0 += 1 }
                continue
            }
            guard let admin = try? await context.connect() else { continue }
            let killed = (try? await admin.query("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE application_name = 'tusk-bench-ledger' ORDER BY random() LIMIT 2
                """).count) ?? 0
            tally.faults.withLock { $0 += killed }
            await admin.close()
        }
    }
}
