import Foundation
import Testing
import Tusk
import TuskTestSupport

/// What one lessee changes in the server session and the next lessee of the same connection
/// sees: everything by default (documented), nothing with `resetSessionOnRelease`.
@Suite struct SessionResetTests {
    struct Leftovers: Equatable {
        var currentUser = ""
        var searchPath = ""
        var tempTables = 0
        var advisoryLocks = 0
        var listening = 0
    }

    /// Runs one lease that changes the session in every way, then reads what a second lease of
    /// the same connection sees.
    func leftovers(reset: Bool) async throws -> Leftovers {
        let role = "tusk_reset_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await TestDatabase.connect()
        try await admin.execute("CREATE ROLE \(ident: role) NOLOGIN")
        defer { Task { _ = try? await admin.execute("DROP ROLE IF EXISTS \(ident: role)"); await admin.close() } }
        return try await TestDatabase.withPool(min: 1, max: 1, configure: { $0.resetSessionOnRelease = reset }) { pool, _ in
            let pid = try await pool.withConnection { connection in
                try await connection.executeScript("""
                    SET search_path = pg_catalog;
                    CREATE TEMP TABLE tusk_scratch (id int);
                    SELECT pg_advisory_lock(4242);
                    LISTEN tusk_channel;
                    """)
                try await connection.execute("SET ROLE \(ident: role)")
                return connection.backendPID
            }
            let seen = try await pool.withConnection { connection -> (Leftovers, Int32) in
                let row = try await connection.query("""
                    SELECT current_user::text, current_setting('search_path'),
                           (to_regclass('pg_temp.tusk_scratch') IS NOT NULL)::int,
                           (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::int,
                           (SELECT count(*) FROM pg_listening_channels())::int
                    """)[0]
                let (user, path, temp, locks, listening) = try row.decodeColumns((String, String, Int32, Int32, Int32).self)
                // Leave the connection as the next test expects it.
                try await connection.executeScript("DISCARD ALL")
                return (Leftovers(currentUser: user, searchPath: path, tempTables: Int(temp), advisoryLocks: Int(locks), listening: Int(listening)),
                        connection.backendPID)
            }
            #expect(seen.1 == pid, "the same connection, reused")
            return seen.0
        }
    }

    @Test func byDefaultSessionStateSurvivesIntoTheNextLease() async throws {
        let seen = try await leftovers(reset: false)
        #expect(seen.currentUser.hasPrefix("tusk_reset_"), "SET ROLE survives")
        #expect(seen.searchPath == "pg_catalog", "SET survives")
        #expect(seen.tempTables == 1, "temporary tables survive")
        #expect(seen.advisoryLocks == 1, "session advisory locks survive")
        #expect(seen.listening == 1, "LISTEN survives")
    }

    @Test func resetSessionOnReleaseClearsRoleSettingsTempTablesLocksAndListen() async throws {
        let seen = try await leftovers(reset: true)
        #expect(!seen.currentUser.hasPrefix("tusk_reset_"), "back to the session user: \(seen.currentUser)")
        #expect(seen.searchPath.hasPrefix("tusk_p_"), "back to the search_path the pool connects with: \(seen.searchPath)")
        #expect(seen.tempTables == 0)
        #expect(seen.advisoryLocks == 0)
        #expect(seen.listening == 0)
    }

    @Test func afterAResetCachedStatementsArePreparedAgain() async throws {
        try await TestDatabase.withPool(min: 1, max: 1, configure: { $0.resetSessionOnRelease = true }) { pool, _ in
            for _ in 0..<3 {
                let (value, prepared) = try await pool.withConnection { connection in
                    let before = await connection.statistics.preparedStatements
                    let value = try await connection.query("SELECT 7")[0].decode(Int32.self, at: 0)
                    return (value, await connection.statistics.preparedStatements - before)
                }
                #expect(value == 7)
                #expect(prepared == 1, "the cache was cleared with the server's statements")
            }
        }
    }
}
