import Foundation
import Testing
import Tusk

/// The ledger: money moves between accounts in SERIALIZABLE transactions with retry while a
/// chaos task kills backends and restarts the server. Nothing may be lost or doubled.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct LedgerTests {
    enum Outcome: Sendable { case committed(UUID), failed(UUID), unknown(UUID), skipped }

    @Test func noCentIsLostUnderBackendKillsAndARestart() async throws {
        try await Faults.withPool(min: 4, max: 8, acquireTimeout: .seconds(5)) { pool, schema, name in
            let accounts = 1_000
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
                    CREATE TABLE transfers (id uuid PRIMARY KEY, from_id int NOT NULL, to_id int NOT NULL, amount bigint NOT NULL);
                    INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, \(unsafeRaw: String(accounts))) g
                    """)
            }
            let deadline = ContinuousClock.now + .seconds(8)
            let outcomes = Locked<[Outcome]>([])
            let faults = Locked(0)
            let retries = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            let id = UUID()
                            let from = Int32.random(in: 1...Int32(accounts))
                            let to = Int32.random(in: 1...Int32(accounts))
                            let amount = Int64.random(in: 1...50)
                            var attempts = 0
                            do {
                                let moved = try await pool.withTransaction(isolation: .serializable) { session in
                                    attempts += 1
                                    let balance = try await session.scalar("SELECT balance FROM accounts WHERE id = \(from)", as: Int64.self)
                                    guard from != to, balance >= amount else { return false }
                                    try await session.execute("UPDATE accounts SET balance = balance - \(amount) WHERE id = \(from)")
                                    try await session.execute("UPDATE accounts SET balance = balance + \(amount) WHERE id = \(to)")
                                    try await session.execute("INSERT INTO transfers VALUES (\(id), \(from), \(to), \(amount))")
                                    return true
                                }
                                outcomes.withLock { $0.append(moved ? .committed(id) : .skipped) }
                            } catch let error as SessionError where error.code == .commitOutcomeUnknown {
                                outcomes.withLock { $0.append(.unknown(id)) }
                            } catch {
                                outcomes.withLock { $0.append(.failed(id)) }
                                try? await Task.sleep(for: .milliseconds(5))
                            }
                            retries.withLock { $0 += max(0, attempts - 1) }
                        }
                    }
                }
                group.addTask {
                    var restarted = false
                    while ContinuousClock.now < deadline - .seconds(2) {
                        try await Task.sleep(for: .milliseconds(Int64.random(in: 150...400)))
                        if !restarted, ContinuousClock.now > deadline - .seconds(5) {
                            restarted = true
                            try Server.restart()
                            faults.withLock { $0 += 1 }
                            continue
                        }
                        let admin = try? await Connection.connect(to: Server.configuration)
                        if let admin {
                            let killed = (try? await admin.query("""
                                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                WHERE application_name = \(name) ORDER BY random() LIMIT 2
                                """).count) ?? 0
                            faults.withLock { $0 += killed }
                            await admin.close()
                        }
                    }
                }
                // No task may hang: the group must finish soon after the deadline.
                let watchdog = Task {
                    try await Task.sleep(for: .seconds(40))
                    Issue.record("the ledger did not finish: a task hung")
                }
                try await group.waitForAll()
                watchdog.cancel()
            }
            let results = outcomes.value
            let committed = results.compactMap { if case .committed(let id) = $0 { id } else { nil } }
            let failed = results.compactMap { if case .failed(let id) = $0 { id } else { nil } }
            let unknown = results.compactMap { if case .unknown(let id) = $0 { id } else { nil } }
            let check = try await Connection.connect(to: Server.configuration)
            let total = try await check.query("SELECT sum(balance)::int8 FROM \(ident: schema, "accounts")")[0].decode(Int64.self, at: 0)
            let committedLogged = try await check.query(
                "SELECT count(*) FROM \(ident: schema, "transfers") WHERE id = ANY(\(committed))")[0].decode(Int.self, at: 0)
            let failedLogged = try await check.query(
                "SELECT count(*) FROM \(ident: schema, "transfers") WHERE id = ANY(\(failed))")[0].decode(Int.self, at: 0)
            let mismatched = try await check.query("""
                SELECT count(*) FROM \(ident: schema, "accounts") a
                WHERE a.balance <> 1000 - coalesce((SELECT sum(amount) FROM \(ident: schema, "transfers") WHERE from_id = a.id), 0)
                                       + coalesce((SELECT sum(amount) FROM \(ident: schema, "transfers") WHERE to_id = a.id), 0)
                """)[0].decode(Int.self, at: 0)
            await check.close()
            #expect(total == Int64(accounts) * 1_000, "the sum of balances is unchanged")
            #expect(committedLogged == committed.count, "every committed transfer is in the log exactly once")
            #expect(failedLogged == 0, "no failed transfer left a trace")
            #expect(mismatched == 0, "every balance matches its transfers")
            #expect(committed.count > 100, "the ledger did real work: \(committed.count) committed")
            #expect(faults.value > 5, "faults were injected: \(faults.value)")
            print("ledger: committed \(committed.count), failed \(failed.count), unknown \(unknown.count), retries \(retries.value), faults \(faults.value)")
        }
    }
}
