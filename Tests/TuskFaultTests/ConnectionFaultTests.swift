import Foundation
import Testing
@testable import Tusk
import TuskTestSupport

/// Backends killed at every stage of a connection's work, and the pool's lifecycle edges.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct ConnectionFaultTests {
    @Test func backendKilledMidTransactionRollsBack() async throws {
        try await Faults.withPool { pool, schema, name in
            try await pool.withConnection { try await $0.execute("CREATE TABLE t (id int PRIMARY KEY)") }
            let error = await #expect(throws: ConnectionError.self) {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO t VALUES (1)")
                    try await Faults.terminate(application: name, state: "idle in transaction")
                    try await session.execute("INSERT INTO t VALUES (2)")
                }
            }
            #expect(error?.code == .connectionLost)
            #expect(try await Faults.count("t", in: schema) == 0)
            #expect(try await pool.withConnection { try await $0.query("SELECT 1").count } == 1, "the pool replaced it")
        }
    }

    @Test func backendKilledMidCopyKeepsNoRow() async throws {
        try await Faults.withPool { pool, schema, name in
            try await pool.withConnection { try await $0.execute("CREATE TABLE readings (id bigint PRIMARY KEY, value float8)") }
            struct Reading: Model { static let tableName = "readings"; var id: Int64; var value: Double }
            let killed = Locked(false)
            let error = await #expect(throws: ConnectionError.self) {
                try await pool.withSession { session in
                    let rows = (1...2_000_000).lazy.map { Reading(id: Int64($0), value: Double($0)) }
                    try await session.repository(Reading.self).addMany(rows, chunkBytes: 64 * 1024) { sent in
                        if sent > 100_000, !killed.value {
                            killed.withLock { $0 = true }
                            Task { try await Faults.terminate(application: name, state: "active") }
                        }
                    }
                }
            }
            #expect(error?.code == .connectionLost)
            #expect(try await Faults.count("readings", in: schema) == 0)
        }
    }

    @Test func uncleanConnectionsAreNeverHandedOutAgain() async throws {
        try await Faults.withPool(max: 1) { pool, _, _ in
            // Returned in an open transaction, then in a failed one, then mid-COPY.
            var pids: [Int32] = []
            pids.append(try await pool.withConnection { connection in
                try await connection.execute("BEGIN")
                return connection.backendPID
            })
            pids.append(try await pool.withConnection { connection in
                try await connection.execute("BEGIN")
                _ = try? await connection.execute("SELECT 1/0")
                return connection.backendPID
            })
            pids.append(try await pool.withConnection { connection in
                _ = try await connection.beginCopy("COPY (SELECT 1) TO STDOUT", kind: .copyOut, timeout: nil)
                return connection.backendPID
            })
            let next = try await pool.withConnection { connection in
                #expect(connection.isReusable)
                return connection.backendPID
            }
            #expect(Set(pids + [next]).count == 4, "each unclean connection was closed and replaced")
        }
    }

    @Test func lifetimeRetiresConnectionsButNeverWhileLeased() async throws {
        let clock = ManualClock()
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.minConnections = 2
        configuration.maxConnections = 2
        configuration.maxLifetime = .milliseconds(700)
        configuration.maxLifetimeJitter = 0
        let pool = ConnectionPool(configuration: configuration, clock: PoolClock(clock))
        try await waitUntil { pool.statistics.idle == 2 }
        let (leasedPID, samePID) = try await pool.withConnection { connection in
            let before = connection.backendPID
            // Past its lifetime while leased.
            clock.advance(by: .milliseconds(1_500))
            let after = try await connection.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
            return (before, after)
        }
        #expect(leasedPID == samePID, "not retired while leased")
        try await waitUntil {
            try await pool.withConnection { $0.backendPID } != leasedPID
        }
        try await waitUntil { pool.statistics.idle + pool.statistics.opening >= 2 }
        #expect(pool.statistics.idle + pool.statistics.inUse + pool.statistics.opening >= 2, "never below the minimum for long")
        await pool.close()
    }

    @Test func idleConnectionsAboveTheMinimumRetire() async throws {
        let clock = ManualClock()
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.minConnections = 1
        configuration.maxConnections = 4
        configuration.idleTimeout = .milliseconds(500)
        // The hour below must not retire the last connection for its age instead.
        configuration.maxLifetime = nil
        let pool = ConnectionPool(configuration: configuration, clock: PoolClock(clock))
        // Four leases at once: four connections.
        let barrier = Barrier(parties: 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { try await pool.withConnection { _ in await barrier.arrive() } }
            }
            try await group.waitForAll()
        }
        #expect(pool.statistics.idle == 4)
        clock.advance(by: .milliseconds(499))
        #expect(pool.statistics.idle == 4, "not before the idle timeout")
        clock.advance(by: .milliseconds(1))
        try await waitUntil { pool.statistics.idle == 1 && pool.statistics.closing == 0 }
        clock.advance(by: .seconds(3_600))
        #expect(pool.statistics.idle == 1, "never below the minimum")
        await pool.close()
    }

    @Test func closeWhileWaitersQueueWhileConnectingAndTwice() async throws {
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.maxConnections = 1
        configuration.acquireTimeout = .seconds(30)
        let pool = ConnectionPool(configuration: configuration)
        let gate = AsyncStream<Void>.makeStream()
        let holder = Task { try await pool.withConnection { _ in for await _ in gate.stream { break } } }
        try await waitUntil { pool.statistics.inUse == 1 }
        let waiters = (0..<3).map { _ in Task { try await pool.withConnection { _ in } } }
        try await waitUntil { pool.statistics.waiters == 3 }
        let closing = Task { await pool.close(gracePeriod: .seconds(5)) }
        for waiter in waiters {
            let error = await #expect(throws: PoolError.self) { try await waiter.value }
            #expect(error?.code == .closed)
        }
        gate.continuation.finish()
        _ = try await holder.value
        await closing.value
        await pool.close()
        #expect(pool.statistics.idle == 0 && pool.statistics.inUse == 0)

        // Closing while connections are still being opened (a server that never answers).
        let listener = try LoopbackListener()
        var silent = PoolConfiguration(connection: try Server.configuration)
        silent.connection.hosts = [.init("127.0.0.1", port: listener.port)]
        silent.connection.connectTimeout = .seconds(30)
        silent.minConnections = 2
        let connecting = ConnectionPool(configuration: silent)
        try await waitUntil { connecting.statistics.opening == 2 }
        let start = ContinuousClock.now
        await connecting.close(gracePeriod: .seconds(30))
        let elapsed = ContinuousClock.now - start
        print("close with connects in flight returned after \(elapsed)")
        #expect(elapsed < .seconds(10), "promptly, not after the 30 s connect timeout: \(elapsed)")
        listener.close()
    }
}
