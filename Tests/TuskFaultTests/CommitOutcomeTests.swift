import Foundation
import Testing
import Tusk
import TuskTestSupport

/// The connection is lost while COMMIT is in flight. Tusk asks the server, over a new connection,
/// what became of the transaction (`pg_xact_status` of the id it learned in the commit's round
/// trip) and reports what the server holds: committed, or aborted, never a guess.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct CommitOutcomeTests {
    /// A table whose deferred trigger makes COMMIT sleep 30 s until `commit_gate` holds a row.
    func createSlowCommitTable(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { connection in
            try await connection.executeScript("""
                CREATE TABLE t (id int PRIMARY KEY);
                CREATE TABLE commit_gate (open bool);
                CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN IF NOT EXISTS (SELECT 1 FROM commit_gate) THEN PERFORM pg_sleep(30); END IF; RETURN NULL; END $$;
                CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()
                """)
        }
    }

    /// A pool of one connection that reaches the server through a ``CommitCuttingProxy``.
    func withProxiedPool(resolvesLostCommits: Bool = true,
                         _ body: (CommitCuttingProxy, ConnectionPool, String) async throws -> Void) async throws {
        let proxy = try CommitCuttingProxy(targetPort: try Server.configuration.hosts[0].port)
        defer { proxy.stop() }
        try await Faults.withPool(max: 1, configure: { configuration in
            // The proxy reads the server's messages: no TLS, no GSS encryption.
            configuration.connection.hosts = [.init("127.0.0.1", port: proxy.port)]
            configuration.connection.tls = .disable
            configuration.connection.parameters["gssencmode"] = "disable"
            configuration.resolvesLostCommits = resolvesLostCommits
        }) { pool, schema, _ in
            try await body(proxy, pool, schema)
        }
    }

    /// Kills the pool's backend while it runs its COMMIT. The gate opens first (the sleeping
    /// COMMIT already looked), so a retry commits at once.
    func killDuringCommit(application: String, schema: String) -> Task<Void, any Error> {
        Task {
            try await waitUntil { try await Faults.backends(application: application, state: "active", query: "COMMIT") == 1 }
            let admin = try await Connection.connect(to: Server.configuration)
            try await admin.execute("INSERT INTO \(ident: schema, "commit_gate") VALUES (true)")
            await admin.close()
            _ = try await Faults.terminate(application: application, state: "active")
        }
    }

    @Test func aBackendKilledBeforeItCommittedResolvesToAbortedAndNothingIsThere() async throws {
        try await Faults.withPool(max: 2) { pool, schema, name in
            try await createSlowCommitTable(pool)
            let killer = killDuringCommit(application: name, schema: schema)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withTransaction(retry: .never) { session in
                    try await session.execute("INSERT INTO t VALUES (1)")
                }
            }
            try await killer.value
            #expect(error?.code == .transactionFailed, "\(String(describing: error))")
            #expect(error?.abortedWhenTheConnectionWasLost == true)
            #expect((error?.underlying as? ConnectionError)?.code == .connectionLost)
            #expect(try await Faults.count("t", in: schema) == 0, "what the server holds: nothing")
        }
    }

    @Test func aResolvedAbortIsRetriedAndTheRetryCommits() async throws {
        try await Faults.withPool(max: 2) { pool, schema, name in
            try await createSlowCommitTable(pool)
            let killer = killDuringCommit(application: name, schema: schema)
            let attempts = Locked(0)
            try await pool.withTransaction { session in
                attempts.withLock { $0 += 1 }
                try await session.execute("INSERT INTO t VALUES (1)")
            }
            try await killer.value
            #expect(attempts.value == 2, "aborted for sure, so safe to run again")
            #expect(try await Faults.count("t", in: schema) == 1)
        }
    }

    @Test func aConnectionCutAfterTheServerCommittedResolvesToCommittedAndIsNotRetried() async throws {
        try await withProxiedPool { proxy, pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE t (id int PRIMARY KEY)") }
            proxy.armCutAtNextCommit()
            let attempts = Locked(0)
            // No error: the server committed, and the session learned it.
            try await pool.withTransaction { session in
                attempts.withLock { $0 += 1 }
                try await session.execute("INSERT INTO t VALUES (1)")
            }
            #expect(proxy.cuts == 1, "COMMIT's answer was really lost")
            #expect(attempts.value == 1, "a resolved commit is never retried")
            #expect(try await Faults.count("t", in: schema) == 1, "what the server holds: the row, once")
        }
    }

    @Test func withResolutionOffTheSameCutIsAnUnknownOutcomeNeverRetried() async throws {
        try await withProxiedPool(resolvesLostCommits: false) { proxy, pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE t (id int PRIMARY KEY)") }
            proxy.armCutAtNextCommit()
            let attempts = Locked(0)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withTransaction { session in
                    attempts.withLock { $0 += 1 }
                    try await session.execute("INSERT INTO t VALUES (1)")
                }
            }
            #expect(error?.code == .commitOutcomeUnknown)
            #expect(attempts.value == 1, "an unknown outcome is never retried")
            #expect(try await Faults.count("t", in: schema) == 1, "it had committed")
        }
    }

    @Test func aTransactionThatWroteNothingStaysAnUnknownOutcome() async throws {
        try await withProxiedPool { proxy, pool, _ in
            proxy.armCutAtNextCommit()
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in _ = try await session.scalar("SELECT 1", as: Int32.self) }
            }
            #expect(error?.code == .commitOutcomeUnknown, "no transaction id: nothing to resolve, and nothing was written")
        }
    }

    @Test func aBackendKilledWhileIdleInTheTransactionIsAnAbortThatIsRetried() async throws {
        try await Faults.withPool(max: 2) { pool, schema, name in
            try await pool.withConnection { try await $0.execute("CREATE TABLE t (id int PRIMARY KEY)") }
            let idle = AsyncStream<Void>.makeStream()
            let resume = AsyncStream<Void>.makeStream()
            let attempts = Locked(0)
            let transfer = Task {
                try await pool.withTransaction { session in
                    let attempt = attempts.withLock { $0 += 1; return $0 }
                    try await session.execute("INSERT INTO t VALUES (1)")
                    if attempt == 1 {
                        idle.continuation.yield()
                        for await _ in resume.stream { break }
                    }
                }
            }
            for await _ in idle.stream { break }
            // The backend dies between the body's last statement and its COMMIT.
            try await waitUntil { try await Faults.backends(application: name, state: "idle in transaction") == 1 }
            _ = try await Faults.terminate(application: name, state: "idle in transaction")
            resume.continuation.finish()
            try await transfer.value
            #expect(attempts.value == 2, "the lost commit was known to have aborted, so it ran again")
            #expect(try await Faults.count("t", in: schema) == 1)
        }
    }
}
