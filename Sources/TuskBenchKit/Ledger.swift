import Foundation
import Synchronization
import Tusk

/// The reliability run: `tasks` tasks move money between `accounts` accounts in SERIALIZABLE
/// transactions with retry, logging each transfer, while a chaos task terminates the pool's
/// backends every 150–400 ms and restarts the server once. Afterwards the books are checked.
/// `tusk-bench --workload ledger` reports the figures; the fault suite's LedgerTests asserts them,
/// so both run the same program.
struct Ledger: Sendable {
    /// What the run did, and what the books say afterwards.
    struct Report: Sendable {
        var committed: [UUID] = []
        var failed: [UUID] = []
        /// Transfers that wrote, whose commit's outcome Tusk could not learn.
        var unknownOutcomes = 0
        /// Transfers that only read (the balance was short) whose commit's connection was lost:
        /// nothing was written, so there was nothing to learn.
        var unknownReadOnly = 0
        var retries = 0
        var faultsInjected = 0
        var elapsed: Duration = .zero
        /// The sum of balances before the run.
        var openingTotal: Int64 = 0
        /// The sum of balances after the run: equal to ``openingTotal`` when no cent was lost or made.
        var closingTotal: Int64 = 0
        /// How many committed transfers are in the log: each exactly once when nothing was lost.
        var committedLogged = 0
        /// How many failed transfers are in the log: none may be.
        var failedLogged = 0
        /// Accounts whose balance differs from its opening balance plus its logged transfers.
        var mismatchedBalances = 0

        /// Every broken invariant, counted: 0 for correct books.
        var invariantViolations: Int {
            (closingTotal == openingTotal ? 0 : 1) + (committed.count - committedLogged) + failedLogged + mismatchedBalances
        }
    }

    private final class Tally: Sendable {
        let committed = Mutex<[UUID]>([])
        let failed = Mutex<[UUID]>([])
        let unknown = Mutex(0)
        let unknownReadOnly = Mutex(0)
        let retries = Mutex(0)
        let faults = Mutex(0)
    }

    /// The schema holding the ledger's tables; nil for the search path's.
    var schema: String?
    var accounts = 1_000
    var openingBalance: Int64 = 1_000
    var tasks = 16
    /// Opens a connection outside the pool, for set-up, chaos and the final check.
    let connect: @Sendable () async throws -> Connection
    /// Restarts the server; nil runs without the restart (a server this process does not own).
    let restartServer: (@Sendable () async throws -> Void)?

    private var accountsTable: SQL { "\(ident: schema, "ledger_accounts")" }
    private var transfersTable: SQL { "\(ident: schema, "ledger_transfers")" }

    /// Creates the tables afresh, every account at the opening balance.
    func createTables() async throws {
        try await withClosing(try await connect()) { connection in
            try await connection.executeScript("""
                DROP TABLE IF EXISTS \(transfersTable), \(accountsTable);
                CREATE TABLE \(accountsTable) (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
                CREATE TABLE \(transfersTable) (id uuid PRIMARY KEY, from_id int NOT NULL, to_id int NOT NULL, amount bigint NOT NULL);
                INSERT INTO \(accountsTable)
                  SELECT g, \(unsafeRaw: String(openingBalance)) FROM generate_series(1, \(unsafeRaw: String(accounts))) g
                """)
        }
    }

    /// Drops the tables.
    func dropTables() async throws {
        try await withClosing(try await connect()) { connection in
            try await connection.executeScript("DROP TABLE IF EXISTS \(transfersTable), \(accountsTable)")
        }
    }

    /// Runs the transfers and the chaos for `duration` on `pool`, whose connections carry
    /// `applicationName` (the chaos kills only those), then checks the books.
    func run(pool: ConnectionPool, applicationName: String, for duration: Duration) async throws -> Report {
        let tally = Tally()
        let start = ContinuousClock.now
        let deadline = start + duration
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask { await transfer(until: deadline, pool: pool, tally: tally) }
            }
            group.addTask {
                try await chaos(restartAt: start + duration * 0.4, until: deadline, applicationName: applicationName, tally: tally)
            }
            try await group.waitForAll()
        }
        return try await checkBooks(Report(
            committed: tally.committed.withLock { $0 }, failed: tally.failed.withLock { $0 },
            unknownOutcomes: tally.unknown.withLock { $0 }, unknownReadOnly: tally.unknownReadOnly.withLock { $0 },
            retries: tally.retries.withLock { $0 },
            faultsInjected: tally.faults.withLock { $0 }, elapsed: ContinuousClock.now - start))
    }

    private func transfer(until deadline: ContinuousClock.Instant, pool: ConnectionPool, tally: Tally) async {
        while ContinuousClock.now < deadline {
            let id = UUID()
            let from = Int32.random(in: 1...Int32(accounts))
            let to = Int32.random(in: 1...Int32(accounts))
            let amount = Int64.random(in: 1...50)
            var attempts = 0
            var wrote = false
            do {
                let moved = try await pool.withTransaction(isolation: .serializable) { session in
                    attempts += 1
                    wrote = false
                    let balance = try await session.scalar("SELECT balance FROM \(accountsTable) WHERE id = \(from)", as: Int64.self)
                    guard from != to, balance >= amount else { return false }
                    wrote = true
                    try await session.execute("UPDATE \(accountsTable) SET balance = balance - \(amount) WHERE id = \(from)")
                    try await session.execute("UPDATE \(accountsTable) SET balance = balance + \(amount) WHERE id = \(to)")
                    try await session.execute("INSERT INTO \(transfersTable) VALUES (\(id), \(from), \(to), \(amount))")
                    return true
                }
                if moved { tally.committed.withLock { $0.append(id) } }
            } catch let error as SessionError where error.code == .commitOutcomeUnknown {
                if wrote { tally.unknown.withLock { $0 += 1 } } else { tally.unknownReadOnly.withLock { $0 += 1 } }
            } catch {
                tally.failed.withLock { $0.append(id) }
                try? await Task.sleep(for: .milliseconds(5))
            }
            tally.retries.withLock { $0 += max(0, attempts - 1) }
        }
    }

    /// Until a second before the deadline: every 150–400 ms, terminate two of the pool's backends,
    /// or, once, past `restartAt`, restart the server.
    private func chaos(restartAt: ContinuousClock.Instant, until deadline: ContinuousClock.Instant,
                       applicationName: String, tally: Tally) async throws {
        var restarted = false
        while ContinuousClock.now < deadline - .seconds(1) {
            try await Task.sleep(for: .milliseconds(Int64.random(in: 150...400)))
            if !restarted, let restartServer, ContinuousClock.now > restartAt {
                restarted = true
                try await restartServer()
                tally.faults.withLock { $0 += 1 }
                continue
            }
            guard let admin = try? await connect() else { continue }
            let killed = (try? await admin.query("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE application_name = \(applicationName) ORDER BY random() LIMIT 2
                """).count) ?? 0
            tally.faults.withLock { $0 += killed }
            await admin.close()
        }
    }

    /// The sum is unchanged, every committed transfer logged once, no failed one logged, and
    /// every balance equals its opening plus its logged transfers.
    private func checkBooks(_ run: Report) async throws -> Report {
        try await withClosing(try await connect()) { check in
            var report = run
            report.openingTotal = Int64(accounts) * openingBalance
            report.closingTotal = try await check.query("SELECT sum(balance)::int8 FROM \(accountsTable)")[0].decode(Int64.self, at: 0)
            report.committedLogged = try await check.query(
                "SELECT count(*) FROM \(transfersTable) WHERE id = ANY(\(report.committed))")[0].decode(Int.self, at: 0)
            report.failedLogged = try await check.query(
                "SELECT count(*) FROM \(transfersTable) WHERE id = ANY(\(report.failed))")[0].decode(Int.self, at: 0)
            report.mismatchedBalances = try await check.query("""
                SELECT count(*) FROM \(accountsTable) a
                WHERE a.balance <> \(openingBalance) - coalesce((SELECT sum(amount) FROM \(transfersTable) WHERE from_id = a.id), 0)
                                                     + coalesce((SELECT sum(amount) FROM \(transfersTable) WHERE to_id = a.id), 0)
                """)[0].decode(Int.self, at: 0)
            return report
        }
    }
}
