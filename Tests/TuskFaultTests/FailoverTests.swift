import Foundation
import Testing
import Tusk
@testable import TuskBenchKit

/// A primary and its streaming replica of their own (`Scripts/postgres.sh start` and `replica`,
/// under a state file of this test's), reached through one multi-host URL with
/// `target_session_attrs=read-write`: the primary is stopped, the replica promoted, and writes
/// resume through the same pool with every acknowledged commit there.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct FailoverTests {
    /// `Scripts/postgres.sh` under this test's own state file, on a thread of its own.
    struct Pair {
        let state: String

        func script(_ arguments: String...) async throws {
            let path = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Scripts/postgres.sh").path
            try await Shell.run("/usr/bin/env", ["TUSK_PG_STATE=\(state)", path] + arguments, detached: true)
        }

        /// A value the script recorded (`TUSK_PG_PORT='12345'`).
        func recorded(_ name: String) throws -> String {
            let text = try String(contentsOfFile: state, encoding: .utf8)
            guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix(name + "=") }) else {
                throw BenchError("\(name) not recorded in \(state)")
            }
            return String(line.dropFirst(name.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
    }

    @Test func afterPromotionWritesResumeOnTheNewPrimaryAndNothingCommittedIsLost() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tusk-failover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pair = Pair(state: folder.appendingPathComponent("state").path)
        try await pair.script("start")
        do {
            try await pair.script("replica")
            let primaryPort = try pair.recorded("TUSK_PG_PORT")
            let replicaPort = try pair.recorded("TUSK_REPLICA_PORT")
            var configuration = PoolConfiguration(connection: try ConnectionConfiguration(
                url: "postgres://postgres@127.0.0.1:\(primaryPort),127.0.0.1:\(replicaPort)/postgres?target_session_attrs=read-write&sslmode=disable"))
            configuration.maxConnections = 4
            configuration.acquireTimeout = .seconds(60)
            configuration.connection.applicationName = "tusk-failover"
            let pool = ConnectionPool(configuration: configuration)
            defer { Task { await pool.close() } }

            try await pool.withConnection { try await $0.execute("CREATE TABLE acknowledged (id int PRIMARY KEY)") }
            var acknowledged: [Int32] = []
            for id in Int32(1)...50 {
                try await pool.withSession { try await $0.execute("INSERT INTO acknowledged VALUES (\(id))") }
                acknowledged.append(id)
            }
            #expect(try await Self.serverPort(pool) == Int32(primaryPort))

            // A fast shutdown sends the standby all WAL before the primary exits; then promote.
            let clock = ContinuousClock()
            let stopping = clock.now
            try await pair.script("pause")
            let stopped = clock.now
            try await pair.script("promote")
            let promoted = clock.now
            var firstWrite: ContinuousClock.Instant?
            for id in Int32(51)...100 {
                try await Self.insertRetryingLostConnections(id, pool)
                if firstWrite == nil { firstWrite = clock.now }
                acknowledged.append(id)
            }
            let done = clock.now
            #expect(try await Self.serverPort(pool) == Int32(replicaPort), "the pool reconnected to the promoted replica")
            let stored = try await pool.withConnection { connection in
                try await connection.query("SELECT id FROM acknowledged ORDER BY id").map { try $0.decode(Int32.self, at: 0) }
            }
            #expect(stored == acknowledged, "every acknowledged commit, before and after the failover, is there")
            let lost = Set(acknowledged).subtracting(stored).count
            print("""
                FailoverTests timeline (from the start of the primary's shutdown): primary stopped at +\(stopped - stopping), \
                replica promoted at +\(promoted - stopping), first write committed at +\((firstWrite ?? done) - stopping), \
                50 writes done at +\(done - stopping); rows lost: \(lost) of \(acknowledged.count) acknowledged
                """)
            await pool.close()
        } catch {
            try? await pair.script("stop")
            throw error
        }
        try await pair.script("stop")
        try? FileManager.default.removeItem(at: folder)
    }

    static func serverPort(_ pool: ConnectionPool) async throws -> Int32 {
        try await pool.withConnection { try await $0.query("SELECT inet_server_port()")[0].decode(Int32.self, at: 0) }
    }

    /// One write in its own transaction. A connection to the stopped primary fails once with
    /// connectionLost and is discarded; the write never ran there (the primary was gone before it
    /// was sent, so the transaction was aborted), so it is sent again on a new connection.
    static func insertRetryingLostConnections(_ id: Int32, _ pool: ConnectionPool) async throws {
        var attempts = 0
        while true {
            attempts += 1
            do {
                try await pool.withSession { try await $0.execute("INSERT INTO acknowledged VALUES (\(id))") }
                return
            } catch let error as SessionError where error.abortedWhenTheConnectionWasLost && attempts < 10 {
                continue
            } catch let error as ConnectionError where error.code == .connectionLost && attempts < 10 {
                continue
            }
        }
    }
}
