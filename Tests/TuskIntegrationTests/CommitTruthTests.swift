import Foundation
import Testing
import Tusk
import TuskTestSupport

/// Tusk tells the truth about a commit: success means committed, an error from the commit means
/// nothing was committed.
@Suite struct CommitTruthTests {
    typealias Item = ItemsTable.Item

    struct Note: Model {
        static let tableName = "notes"
        var id: Int64?
        var body: String  // a trigger stores NULL: the returned row does not decode
    }

    struct User: Model {
        static let tableName = "users"
        var id: Int64?
        var email: String
    }

    func createItems(_ pool: ConnectionPool) async throws {
        try await ItemsTable.create(pool)
    }

    @Test func anUpdateThatMatchesNoRowFailsTheCommitAndNothingIsCommitted() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            await #expect(throws: NotFoundError.self) {
                try await pool.withSession { session in
                    session.add(Item(id: nil, name: "new", quantity: 1))
                    session.update(Item(id: 999, name: "ghost", quantity: 2))
                }
            }
            #expect(try await TestDatabase.count("items", in: schema) == 0, "the insert flushed with the failed update is not committed")
        }
    }

    @Test func aBatchOfUpdatesWithOneMissingRowCommitsNothing() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let ids = try await pool.withSession { session in
                let items = session.repository(Item.self)
                return [try await items.add(Item(id: nil, name: "a", quantity: 1)).id, try await items.add(Item(id: nil, name: "b", quantity: 1)).id]
            }
            await #expect(throws: NotFoundError.self) {
                try await pool.withSession { session in
                    session.update(Item(id: ids[0], name: "a", quantity: 10))
                    session.update(Item(id: ids[1], name: "b", quantity: 10))
                    session.update(Item(id: 999, name: "ghost", quantity: 10))
                }
            }
            #expect(try await TestDatabase.count("items", in: schema, where: "quantity = 10") == 0)
        }
    }

    @Test func aStoredRowThatDoesNotDecodeFailsTheCommitAndNothingIsCommitted() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    CREATE TABLE notes (id bigserial PRIMARY KEY, body text);
                    CREATE FUNCTION blank() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := NULL; RETURN NEW; END $$;
                    CREATE TRIGGER blank BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION blank();
                    """)
            }
            await #expect(throws: PostgresDecodingError.self) {
                try await pool.withSession { session in
                    session.add(Note(id: nil, body: "hello"))
                }
            }
            #expect(try await TestDatabase.count("notes", in: schema) == 0)
        }
    }

    @Test func aFlushErrorCaughtByTheBodyStillFailsTheCommit() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    session.add(Item(id: nil, name: "kept?", quantity: 1))
                    session.update(Item(id: 999, name: "ghost", quantity: 2))
                    do {
                        try await session.flush()
                    } catch is NotFoundError {
                        // The body carries on as if nothing happened.
                    }
                }
            }
            #expect(error?.code == .transactionFailed)
            #expect(try await TestDatabase.count("items", in: schema) == 0)
        }
    }

    @Test func transactionControlStatementsAreRefusedBeforeSending() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                for sql: SQL in ["COMMIT", "  rollback", "/* x */ BEGIN", "/* a /* b */ c */ COMMIT", "END", "savepoint a", "RELEASE a", "PREPARE TRANSACTION 'x'", "start transaction"] {
                    let before = await session.statistics.statements
                    let error = await #expect(throws: SessionError.self) { try await session.execute(sql) }
                    #expect(error?.code == .invalidUsage, "\(sql.text)")
                    #expect(await session.statistics.statements == before, "nothing was sent for \(sql.text)")
                }
                // Statements that merely start like one still run.
                let one = try await session.scalar("SELECT 1 AS ending", as: Int32.self)
                #expect(one == 1)
            }
        }
    }

    /// `users` with `count` rows.
    func createUsers(_ pool: ConnectionPool, count: Int) async throws {
        try await pool.withConnection { connection in
            try await connection.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)")
            try await connection.execute("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, \(Int32(count))) g")
        }
    }

    @Test func anExportLeftHalfReadStillCommitsAndTheConnectionIsReused() async throws {
        try await TestDatabase.withPool(min: 1, max: 1) { pool, schema in
            try await createUsers(pool, count: 5000)
            let pid = try await pool.withConnection { $0.backendPID }
            var seen = 0
            try await pool.withSession { session in
                let users = session.repository(User.self)
                try await users.add(User(id: nil, email: "late@example.com"))
                for try await _ in try users.export() {
                    seen += 1
                    if seen == 10 { break }
                }
            }
            #expect(seen == 10)
            #expect(try await TestDatabase.count("users", in: schema, where: "email = 'late@example.com'") == 1, "committed")
            #expect(try await pool.withConnection { $0.backendPID } == pid, "the connection was kept")
        }
    }

    @Test func anExportCancelledWhileTheServerStillRunsItDoesNotAbortTheSession() async throws {
        try await TestDatabase.withPool(min: 1, max: 1) { pool, schema in
            try await createUsers(pool, count: 2000)
            let pid = try await pool.withConnection { $0.backendPID }
            let total = try await pool.withSession { session in
                let users = session.repository(User.self)
                try await users.add(User(id: nil, email: "kept@example.com"))
                // Each row costs the server 2 ms: breaking off after 5 rows cancels a running COPY,
                // which aborts the transaction unless the export's savepoint takes the blow.
                var seen = 0
                for try await _ in try users.export(where: .sql("pg_sleep(0.002) IS NOT NULL")) {
                    seen += 1
                    if seen == 5 { break }
                }
                return try await users.count()
            }
            #expect(total == 2001, "the session carried on after the abandoned export")
            #expect(try await TestDatabase.count("users", in: schema, where: "email = 'kept@example.com'") == 1, "committed")
            #expect(try await pool.withConnection { $0.backendPID } == pid, "the connection was kept")
        }
    }

    @Test func cancellingTheFirstStatementOfASessionRollsBackAndKeepsTheConnection() async throws {
        let name = "tusk-first-\(UUID().uuidString.prefix(8))"
        try await TestDatabase.withPool(min: 1, max: 1, configure: { $0.connection.applicationName = name }) { pool, _ in
            let pid = try await pool.withConnection { $0.backendPID }
            let observer = try await TestDatabase.connect()
            let victim = Task { try await pool.withSession { try await $0.execute("SELECT pg_sleep(30)") } }
            try await waitUntil {
                try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = \(name) AND state = 'active'")[0].decode(Int.self, at: 0) == 1
            }
            victim.cancel()
            await #expect(throws: CancellationError.self) { try await victim.value }
            let (again, reusable) = try await pool.withConnection { ($0.backendPID, $0.isReusable) }
            #expect(again == pid, "rolled back and reused, not reconnected")
            #expect(reusable)
            await observer.close()
        }
    }

    struct Number: Model {
        static let tableName = "numbers"
        var id: Int64?
        var n: Int32
    }

    func createSkippingNumbers(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { connection in
            try await connection.executeScript("""
                CREATE TABLE numbers (id bigserial PRIMARY KEY, n int NOT NULL);
                CREATE FUNCTION skip_odd() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN IF NEW.n % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
                CREATE TRIGGER skip_odd BEFORE INSERT ON numbers FOR EACH ROW EXECUTE FUNCTION skip_odd();
                """)
        }
    }

    @Test func aBatchedInsertWhoseRowsDoNotMatchItsInputsFailsLoudlyAndCommitsNothing() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createSkippingNumbers(pool)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    for n in 1...4 { session.add(Number(id: nil, n: Int32(n))) }
                }
            }
            #expect(error?.code == .flushFailed, "\(String(describing: error))")
            #expect(try await TestDatabase.count("numbers", in: schema) == 0)
        }
    }

    @Test func addManyReturningWhoseRowsDoNotMatchItsInputsFailsLoudlyAndCommitsNothing() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createSkippingNumbers(pool)
            await #expect(throws: RepositoryError.self) {
                try await pool.withSession { session in
                    _ = try await session.repository(Number.self).addMany((1...4).map { Number(id: nil, n: Int32($0)) }, returning: \.id)
                }
            }
            #expect(try await TestDatabase.count("numbers", in: schema) == 0)
        }
    }
}
