import Testing
import Tusk
import TuskTestSupport

/// The prepared-statement cache never gets in the way: evicted statements are deallocated only
/// where that cannot block a rollback, and statements the server invalidated are prepared again.
@Suite struct PreparedStatementTests {
    @Test func anEvictedStatementNeverStandsInFrontOfARollbackToSavepoint() async throws {
        try await TestDatabase.withPool(configure: { $0.connection.preparedStatementCacheSize = 2 }) { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE t (id int PRIMARY KEY)") }
            try await pool.withSession { session in
                try await session.execute("SELECT 1")  // A
                try await session.execute("SELECT 2")  // B: the cache is full
                await #expect(throws: PostgresError.self) {
                    try await session.withSavepoint {
                        try await session.execute("SELECT 1 / \(Int32(0))")  // C evicts A, then fails
                    }
                }
                // The savepoint rolled back (no DEALLOCATE of A went first and failed with 25P02).
                try await session.execute("INSERT INTO t VALUES (\(Int32(1)))")
            }
            #expect(try await TestDatabase.count("t", in: schema) == 1)
        }
    }

    @Test func anEvictedStatementNeverStandsInFrontOfARollback() async throws {
        try await TestDatabase.withPool(min: 1, max: 1, configure: { $0.connection.preparedStatementCacheSize = 2 }) { pool, _ in
            let pid = try await pool.withConnection { $0.backendPID }
            await #expect(throws: PostgresError.self) {
                try await pool.withSession { session in
                    try await session.execute("SELECT 1")
                    try await session.execute("SELECT 2")
                    try await session.execute("SELECT 1 / \(Int32(0))")
                }
            }
            // The ROLLBACK ran, so the connection came back clean and is reused.
            #expect(try await pool.withConnection { $0.backendPID } == pid)
            // The evicted statement is deallocated later, outside any transaction.
            let names = try await pool.withConnection { connection in
                try await connection.query("SELECT count(*) FROM pg_prepared_statements")[0].decode(Int.self, at: 0)
            }
            #expect(names <= 3)
        }
    }

    @Test func aStalePlanIsPreparedAgainTransparentlyOutsideATransaction() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.executeScript("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
            #expect(try await connection.query("SELECT * FROM t").columnCount == 1)
            try await connection.executeScript("ALTER TABLE t ADD COLUMN b int DEFAULT 7")
            let result = try await connection.query("SELECT * FROM t")
            #expect(result.columnCount == 2)
            #expect(try result[0].decode(Int32.self, at: 1) == 7)
        }
    }

    @Test func insideATransactionAStalePlanIsTypedByRoutineAndForgotten() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.executeScript("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
            _ = try await connection.query("SELECT * FROM t")
            try await connection.executeScript("BEGIN; ALTER TABLE t ADD COLUMN b int DEFAULT 7")
            let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT * FROM t") }
            #expect(error?.sqlState == .featureNotSupported)
            #expect(error?.routine == "RevalidateCachedQuery")
            try await connection.executeScript("ROLLBACK")
            #expect(try await connection.query("SELECT * FROM t").columnCount == 1)
        }
    }

    @Test func afterDiscardAllEveryCachedStatementIsPreparedAgainWithoutAFailure() async throws {
        let connection = try await TestDatabase.connect()
        let statements: [SQL] = ["SELECT 1", "SELECT 2", "SELECT 3"]
        for sql in statements { _ = try await connection.query(sql) }
        try await connection.executeScript("DISCARD ALL")
        let before = await connection.statistics.preparedStatements
        for sql in statements { _ = try await connection.query(sql) }
        #expect(await connection.statistics.preparedStatements - before == 3, "each was prepared again")
        await connection.close()
    }

    @Test func anUnknownStatementInsideATransactionClearsTheWholeCache() async throws {
        let connection = try await TestDatabase.connect()
        _ = try await connection.query("SELECT 1")
        _ = try await connection.query("SELECT 2")
        try await connection.executeScript("DISCARD ALL")
        try await connection.executeScript("BEGIN")
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        #expect(error?.sqlState == .invalidSQLStatementName)
        try await connection.executeScript("ROLLBACK")
        // The other statement is gone from the server too; the cache knew it at once.
        #expect(try await connection.query("SELECT 2")[0].decode(Int32.self, at: 0) == 2)
        await connection.close()
    }
}
