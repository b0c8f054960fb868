import Testing
@testable import Tusk
import TuskTestSupport

/// PostgreSQL answers COMMIT of an aborted transaction with the tag ROLLBACK and no error. A
/// statement the session did not see (sent on its connection directly) can abort the
/// transaction; the commit must then fail, never report success.
@Suite struct CommitTagTests {
    @Test func aCommitTheServerTurnedIntoARollbackIsAFailure() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE t (id int)") }
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO t VALUES (1)")
                    // Behind the session's back: the transaction is aborted on the server.
                    _ = try? await session.connection.execute("SELECT 1 / 0")
                    try await session.commit()
                }
            }
            #expect(error?.code == .transactionFailed)
            #expect(try await TestDatabase.count("t", in: schema) == 0)
        }
    }
}
