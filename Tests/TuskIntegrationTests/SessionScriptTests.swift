import Testing
import Tusk

@Suite struct SessionScriptTests {
    struct Abort: Error {}

    @Test func aScriptRunsInsideTheSessionsTransaction() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withSession { session in
                try await session.executeScript("CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1), (2);")
                #expect(try await session.scalar("SELECT count(*) FROM a", as: Int.self) == 2)
                #expect(try await !TestDatabase.exists("a", in: schema), "not visible before the commit")
            }
            #expect(try await TestDatabase.count("a", in: schema) == 2)
        }
    }

    @Test func aScriptRollsBackWithItsSession() async throws {
        try await TestDatabase.withPool { pool, schema in
            await #expect(throws: Abort.self) {
                try await pool.withSession { session in
                    try await session.executeScript("CREATE TABLE a (id int); INSERT INTO a VALUES (1)")
                    throw Abort()
                }
            }
            let exists = try await TestDatabase.exists("a", in: schema)
            #expect(!exists)
        }
    }

    @Test func transactionControlAnywhereInAScriptIsRefusedBeforeSending() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withSession { session in
                let before = await session.statistics
                let error = await #expect(throws: SessionError.self) {
                    try await session.executeScript("CREATE TABLE a (id int);\n-- and then\nCOMMIT;\nCREATE TABLE b (id int)")
                }
                #expect(error?.code == .invalidUsage)
                #expect(await session.statistics == before, "nothing was sent")
                let one = try await session.scalar("SELECT 1", as: Int32.self)
                #expect(one == 1, "the session is still usable")
            }
            #expect(try await !TestDatabase.exists("a", in: schema))
        }
    }

    @Test func aScriptThatEndsTheTransactionAnywayFailsTheSession() async throws {
        // With standard_conforming_strings off the server reads 'a\';' as one string, so the
        // COMMIT is hidden from the client's scan (which assumes the default): the server's own
        // transaction status must catch it.
        try await TestDatabase.withPool { pool, _ in
            do {
                try await pool.withSession { session in
                    try await session.execute("SET LOCAL standard_conforming_strings = off")
                    let error = await #expect(throws: SessionError.self) {
                        try await session.executeScript(#"SELECT 'a\';' ; COMMIT; SELECT 1"#)
                    }
                    #expect(error?.code == .invalidUsage)
                    let next = await #expect(throws: SessionError.self) { try await session.execute("SELECT 1") }
                    #expect(next?.code == .transactionFailed)
                }
                Issue.record("the session committed")
            } catch let error as SessionError {
                #expect(error.code == .transactionFailed)
            }
        }
    }

    @Test func aFailingStatementFailsTheTransaction() async throws {
        try await TestDatabase.withPool { pool, schema in
            do {
                try await pool.withSession { session in
                    let failure = await #expect(throws: PostgresError.self) {
                        try await session.executeScript("CREATE TABLE a (id int); INSERT INTO nowhere VALUES (1)")
                    }
                    #expect(failure?.sqlState == .undefinedTable)
                    let error = await #expect(throws: SessionError.self) { try await session.execute("SELECT 1") }
                    #expect(error?.code == .transactionFailed)
                }
                Issue.record("the session committed")
            } catch let error as SessionError {
                #expect(error.code == .transactionFailed)
            }
            #expect(try await !TestDatabase.exists("a", in: schema))
        }
    }

    @Test func aScriptCannotBindValues() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                await #expect(throws: PostgresEncodingError.self) { try await session.executeScript("SELECT \(1)") }
                await #expect(throws: PostgresEncodingError.self) { try await session.executeScript("CREATE TABLE \(ident: "") (id int)") }
            }
        }
    }
}
