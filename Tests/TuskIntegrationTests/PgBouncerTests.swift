import Foundation
import Testing
import Tusk

/// PgBouncer's URL, exported by `Scripts/postgres.sh env` once `Scripts/postgres.sh pgbouncer` ran.
private let pgBouncerURL = ProcessInfo.processInfo.environment["TUSK_PGBOUNCER_URL"]

/// Tusk behind PgBouncer 1.18 in transaction mode (`Scripts/postgres.sh pgbouncer`: 4 server
/// connections shared by every client, startup options refused): the repository, session, bulk
/// and upsert paths from 16 concurrent tasks, and the statements that cannot work there refused
/// before they are sent.
@Suite(.enabled(if: pgBouncerURL != nil, "needs TUSK_PGBOUNCER_URL (Scripts/postgres.sh pgbouncer)"))
struct PgBouncerTests {
    static var url: String? { pgBouncerURL }

    struct Account: Model, Equatable {
        static let tableName = "accounts"
        var id: Int64?
        var owner: String
        var balance: Int64
        var note: String?
    }

    /// A fresh database (PgBouncer maps every database name to the same-named one on the
    /// server), reached through PgBouncer by a pool in transaction mode; dropped afterwards.
    func withPooledDatabase<T>(_ body: (ConnectionPool) async throws -> T) async throws -> T {
        let name = TestDatabase.makeSchemaName("pgb")
        let admin = try await TestDatabase.connect()
        try await admin.execute("CREATE DATABASE \(ident: name)")
        var configuration = PoolConfiguration(connection: try Self.configuration(database: name))
        configuration.maxConnections = 16
        configuration.acquireTimeout = .seconds(30)
        let pool = ConnectionPool(configuration: configuration)
        do {
            let result = try await body(pool)
            await pool.close()
            try await admin.execute("DROP DATABASE \(ident: name) WITH (FORCE)")
            await admin.close()
            return result
        } catch {
            await pool.close()
            _ = try? await admin.execute("DROP DATABASE \(ident: name) WITH (FORCE)")
            await admin.close()
            throw error
        }
    }

    static func configuration(database: String, pooler: ServerPooler = .transactionMode) throws -> ConnectionConfiguration {
        var configuration = try ConnectionConfiguration(url: url ?? "")
        configuration.database = database
        configuration.pooler = pooler
        return configuration
    }

    @Test func sixteenTasksRunEveryPathThroughSharedServerSessions() async throws {
        try await withPooledDatabase { pool in
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    CREATE TABLE accounts (id bigserial PRIMARY KEY, owner text NOT NULL UNIQUE, balance bigint NOT NULL, note text)
                    """)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        let accounts = pool.autocommit.repository(Account.self)
                        // Autocommit repository: each call one unnamed statement.
                        let opened = try await accounts.add(Account(id: nil, owner: "t\(task)", balance: 100))
                        #expect(try await accounts.get(id: opened.id)?.balance == 100)
                        try await accounts.update(id: opened.id, set: [.set(\.balance, 150)])
                        // A session: savepoint, unit of work, COPY, upserts and a cursor, one transaction.
                        try await pool.withSession { session in
                            let repository = session.repository(Account.self)
                            try await session.execute("SET LOCAL statement_timeout = '30s'")
                            await #expect(throws: PostgresError.self) {
                                try await session.withSavepoint {
                                    try await repository.add(Account(id: nil, owner: "t\(task)", balance: 0))   // unique violation
                                }
                            }
                            var stored = try #require(try await repository.get(id: opened.id))
                            stored.note = "flushed"
                            session.update(stored)
                            session.add(Account(id: nil, owner: "t\(task)-uow", balance: 1))
                            try await session.flush()
                            try await repository.addMany((0..<200).map { Account(id: nil, owner: "t\(task)-copy-\($0)", balance: Int64($0)) })
                            try await repository.upsertMany((0..<50).map { Account(id: nil, owner: "t\(task)-copy-\($0)", balance: 1_000) },
                                                            matching: [\.owner])
                            try await repository.upsert(Account(id: nil, owner: "t\(task)-upsert", balance: 7), matching: [\.owner])
                            var streamed = 0
                            for try await account in try repository.stream(where: .sql("owner LIKE \("t\(task)-copy-%")"), batchSize: 64) {
                                #expect(account.owner.hasPrefix("t\(task)-copy-"))
                                streamed += 1
                            }
                            #expect(streamed == 200)
                        }
                        let outcomes = try await pool.withConnection { connection in
                            try await connection.pipeline(["SELECT \(Int64(task))::bigint", "SELECT count(*) FROM accounts WHERE owner LIKE \("t\(task)-%")"])
                        }
                        #expect(try outcomes[0].get(index: 0)[0].decode(Int64.self, at: 0) == Int64(task))
                        #expect(try outcomes[1].get(index: 1)[0].decode(Int64.self, at: 0) == 202)
                    }
                }
                try await group.waitForAll()
            }
            let totals = try await pool.withConnection { connection in
                try await connection.query("""
                    SELECT count(*), sum(balance)::bigint, count(*) FILTER (WHERE note = 'flushed'), count(*) FILTER (WHERE balance = 1000)
                    FROM accounts
                    """)
            }
            #expect(try totals[0].decode(Int64.self, at: 0) == 16 * 203)
            #expect(try totals[0].decode(Int64.self, at: 2) == 16)
            #expect(try totals[0].decode(Int64.self, at: 3) == 16 * 50)
            let sum = try totals[0].decode(Int64.self, at: 1)
            let copiedNotUpserted: Int64 = (50..<200).reduce(0) { $0 + Int64($1) }
            let perTask: Int64 = 150 + 1 + 7 + 50 * 1_000 + copiedNotUpserted
            #expect(sum == 16 * perTask)
            let prepared = try await pool.withConnection { await $0.statistics.preparedStatements }
            #expect(prepared == 0, "nothing named is prepared behind a transaction-mode pooler")
        }
    }

    @Test func withoutTransactionModeTheStartupOptionsAreRefusedByPgBouncer() async throws {
        try await withPooledDatabase { _ in
            let direct = try Self.configuration(database: "postgres", pooler: .none)
            let error = try await #require(throws: ConnectionError.self) { try await Connection.connect(to: direct) }
            #expect(error.message.contains("unsupported startup parameter"))
            let pooled = try await Connection.connect(to: try Self.configuration(database: "postgres"))
            #expect(try await pooled.query("SELECT 1")[0].decode(Int32.self, at: 0) == 1)
            await pooled.close()
        }
    }

    @Test func sessionLevelStatementsAreRefusedBeforeSending() async throws {
        try await withPooledDatabase { pool in
            for statement: SQL in ["SET search_path = elsewhere", "SELECT pg_advisory_lock(42)", "LISTEN jobs", "PREPARE q AS SELECT 1"] {
                let error = try await #require(throws: ConnectionError.self) {
                    try await pool.withConnection { try await $0.execute(statement) }
                }
                #expect(error.code == .invalidUsage, "\(statement.text)")
            }
            await #expect(throws: ConnectionError.self) {
                for try await _ in try await pool.notifications(channel: "jobs") { break }
            }
            let locked = try await pool.withSession { session in
                try await session.scalar("SELECT pg_try_advisory_xact_lock(42)", as: Bool.self)
            }
            #expect(locked, "a transaction-level advisory lock is fine")
            var settings = try Self.configuration(database: "postgres")
            settings.settings["search_path"] = "app"
            await #expect(throws: ConnectionError.self) { try await Connection.connect(to: settings) }
        }
    }

    @Test func aTimeoutCancelsThroughPgBouncer() async throws {
        try await withPooledDatabase { pool in
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: ConnectionError.self) {
                try await pool.withConnection { try await $0.execute("SELECT pg_sleep(30)", timeout: .milliseconds(300)) }
            }
            #expect(error.code == .timeout)
            let elapsed = clock.now - start
            print("PgBouncerTests: a 300 ms timeout on pg_sleep(30) through PgBouncer returned after \(elapsed)")
            #expect(elapsed < .seconds(25), "the cancel went through PgBouncer, not after the 30 s sleep")
            #expect(try await pool.withConnection { try await $0.query("SELECT 2")[0].decode(Int32.self, at: 0) } == 2)
        }
    }

    @Test func twoMigratorsThroughPgBouncerApplyEachMigrationOnce() async throws {
        try await withPooledDatabase { pool in
            try await pool.withConnection { try await $0.execute("CREATE SCHEMA app") }
            let migrations = [
                Migration(version: 1, name: "accounts", sql: "CREATE TABLE app.accounts (id bigserial PRIMARY KEY, owner text NOT NULL)"),
                Migration(version: 2, name: "seed", sql: "INSERT INTO app.accounts (owner) VALUES ('a'), ('b')"),
            ]
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await Migrator(pool: pool, migrations: migrations, schema: "app").migrate().count }
                }
                return try await group.reduce(0, +)
            }
            #expect(applied == 2, "each migration applied once, by one of the two migrators")
            let rows = try await pool.withConnection { try await $0.query("SELECT count(*) FROM app.accounts")[0].decode(Int64.self, at: 0) }
            #expect(rows == 2)
        }
    }
}
