import Foundation
import Testing
import Tusk
import TuskTestSupport

/// The streaming replica `Scripts/postgres.sh replica` starts (pg_basebackup -R, hot standby):
/// reads go there, a read that must see a commit sees it even while replay is paused, and an
/// unreachable replica sends reads to the primary. Serialized: pausing replay is cluster-wide.
@Suite(.serialized, .enabled(if: replicaURL != nil, "needs TUSK_REPLICA_URL (Scripts/postgres.sh replica)"))
struct ReplicaTests {
    struct Note: Model, Equatable {
        static let tableName = "notes"
        static let schemaName: String? = "replica_tests"
        var id: Int64?
        var body: String
    }

    func withCluster<T>(replicaURLs: [String]? = nil, configuration: ClusterConfiguration = ClusterConfiguration(),
                        _ body: (DatabaseCluster) async throws -> T) async throws -> T {
        var primaryConfiguration = PoolConfiguration(connection: try TestDatabase.configuration)
        primaryConfiguration.name = "primary"
        let primary = ConnectionPool(configuration: primaryConfiguration)
        let replicas = try (replicaURLs ?? [replicaURL ?? ""]).enumerated().map { index, url in
            var replica = PoolConfiguration(connection: try ConnectionConfiguration(url: url))
            replica.name = "replica-\(index + 1)"
            // A replica that is down costs its pool's acquire timeout before the cluster leaves it out.
            replica.acquireTimeout = .seconds(2)
            return ConnectionPool(configuration: replica)
        }
        let cluster = DatabaseCluster(primary: primary, replicas: replicas, configuration: configuration)
        try await primary.withConnection { connection in
            try await connection.executeScript("""
                CREATE SCHEMA IF NOT EXISTS replica_tests;
                CREATE TABLE IF NOT EXISTS replica_tests.notes (id bigserial PRIMARY KEY, body text NOT NULL)
                """)
        }
        do {
            let result = try await body(cluster)
            for pool in [primary] + replicas { await pool.close() }
            return result
        } catch {
            for pool in [primary] + replicas { await pool.close() }
            throw error
        }
    }

    static func onStandby(_ session: Session) async throws -> Bool {
        try await session.scalar("SELECT pg_is_in_recovery()", as: Bool.self)
    }

    static func setReplay(paused: Bool) async throws {
        let replica = try await Connection.connect(to: try ConnectionConfiguration(url: replicaURL ?? ""))
        try await replica.execute(paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()")
        await replica.close()
    }

    @Test func aReadSeeingTheCommitPositionFindsTheWriteOnTheReplica() async throws {
        try await withCluster(configuration: ClusterConfiguration(laggingReplica: .waitThenFail(.seconds(30)))) { cluster in
            let written = try await cluster.withWriteSession { session in
                try await session.repository(Note.self).add(Note(id: nil, body: "mine"))
            }
            let position = try #require(written.position)
            let (found, standby) = try await cluster.withReadSession(seeing: position) { session in
                (try await session.repository(Note.self).get(id: written.value.id), try await Self.onStandby(session))
            }
            #expect(found == written.value)
            #expect(standby, "served by the replica, which had replayed the commit")
            let decoded = try JSONDecoder().decode(CommitPosition.self, from: JSONEncoder().encode(position))
            #expect(decoded == position)
        }
    }

    @Test func whileReplayIsPausedPlainReadsStayOnTheReplicaAndReadYourWritesDoesNot() async throws {
        try await withCluster(configuration: ClusterConfiguration(laggingReplica: .usePrimary)) { cluster in
            try await Self.setReplay(paused: true)
            do {
                let written = try await cluster.withWriteSession { session in
                    try await session.repository(Note.self).add(Note(id: nil, body: "while paused"))
                }
                let position = try #require(written.position)
                let stale = try await cluster.withReadSession { session in
                    (try await session.repository(Note.self).get(id: written.value.id), try await Self.onStandby(session))
                }
                #expect(stale.0 == nil && stale.1, "a plain read proceeds on the paused replica, which has not replayed the write")
                let fresh = try await cluster.withReadSession(seeing: position) { session in
                    (try await session.repository(Note.self).get(id: written.value.id), try await Self.onStandby(session))
                }
                #expect(fresh.0 == written.value && !fresh.1, "read-your-writes went to the primary")
                let failing = DatabaseCluster(primary: cluster.primary, replicas: cluster.replicas,
                                              configuration: ClusterConfiguration(laggingReplica: .waitThenFail(.milliseconds(200))))
                let error = try await #require(throws: ClusterError.self) {
                    try await failing.withReadSession(seeing: position) { _ in () }
                }
                #expect(error.code == .replicaBehind)
                try await Self.setReplay(paused: false)
                let waiting = DatabaseCluster(primary: cluster.primary, replicas: cluster.replicas,
                                              configuration: ClusterConfiguration(laggingReplica: .waitThenFail(.seconds(30))))
                let caughtUp = try await waiting.withReadSession(seeing: position) { session in
                    (try await session.repository(Note.self).get(id: written.value.id), try await Self.onStandby(session))
                }
                #expect(caughtUp.0 == written.value && caughtUp.1, "once replay resumed, the replica serves it")
            } catch {
                try? await Self.setReplay(paused: false)
                throw error
            }
        }
    }

    @Test func aReplicaLaggingBeyondTheLimitIsLeftOut() async throws {
        try await withCluster { cluster in
            // First a transaction the replica has replayed, so its last replay time is known.
            let before = try await cluster.withWriteSession { session in
                try await session.repository(Note.self).add(Note(id: nil, body: "replayed"))
            }
            _ = try await cluster.withReadSession(seeing: before.position) { _ in () }
            let replica = try await Connection.connect(to: try ConnectionConfiguration(url: replicaURL ?? ""))
            try await waitUntil {
                let replayed = try await replica.query("SELECT pg_last_wal_replay_lsn()::text")[0].decode(String.self, at: 0)
                return (CommitPosition(text: replayed) ?? CommitPosition(offset: 0)) >= (before.position ?? CommitPosition(offset: 0))
            }
            try await Self.setReplay(paused: true)
            do {
                let written = try await cluster.withWriteSession { session in
                    try await session.repository(Note.self).add(Note(id: nil, body: "lagging"))
                }
                let position = try #require(written.position)
                // Wait for the event: the replica has received the write's WAL, and holds it unreplayed.
                try await waitUntil {
                    let received = try await replica.query("SELECT pg_last_wal_receive_lsn()::text")[0].decode(String.self, at: 0)
                    return (CommitPosition(text: received) ?? CommitPosition(offset: 0)) >= position
                }
                let strict = DatabaseCluster(primary: cluster.primary, replicas: cluster.replicas,
                                             configuration: ClusterConfiguration(maximumReplicaLag: .milliseconds(1)))
                let onStrict = try await strict.withReadSession { session in try await Self.onStandby(session) }
                #expect(!onStrict, "the paused replica's last replayed transaction is older than 1 ms: left out, the primary serves")
                let lenient = DatabaseCluster(primary: cluster.primary, replicas: cluster.replicas,
                                              configuration: ClusterConfiguration(maximumReplicaLag: .seconds(3_600)))
                let onLenient = try await lenient.withReadSession { session in try await Self.onStandby(session) }
                #expect(onLenient, "within an hour's limit the same replica serves")
                try await Self.setReplay(paused: false)
                await replica.close()
            } catch {
                try? await Self.setReplay(paused: false)
                await replica.close()
                throw error
            }
        }
    }

    @Test func anUnreachableReplicaSendsReadsToTheOthersAndThenToThePrimary() async throws {
        let closedPort = try LoopbackListener.freePort()
        let dead = "postgres://postgres@127.0.0.1:\(closedPort)/postgres?sslmode=disable"
        try await withCluster(replicaURLs: [dead, replicaURL ?? ""]) { cluster in
            for _ in 0..<4 {
                let standby = try await cluster.withReadSession { session in try await Self.onStandby(session) }
                #expect(standby, "the live replica serves every read")
            }
        }
        try await withCluster(replicaURLs: [dead]) { cluster in
            let standby = try await cluster.withReadSession { session in try await Self.onStandby(session) }
            #expect(!standby, "no replica left: the primary serves")
        }
    }

    @Test func anErrorFromTheBodyIsNotRetriedElsewhere() async throws {
        struct Boom: Error {}
        try await withCluster { cluster in
            let runs = Locked(0)
            await #expect(throws: Boom.self) {
                try await cluster.withReadSession { _ in
                    runs.withLock { $0 += 1 }
                    throw Boom()
                }
            }
            #expect(runs.withLock { $0 } == 1)
        }
    }
}

/// The replica's URL, exported by `Scripts/postgres.sh env` once `Scripts/postgres.sh replica` ran.
private let replicaURL = ProcessInfo.processInfo.environment["TUSK_REPLICA_URL"]
