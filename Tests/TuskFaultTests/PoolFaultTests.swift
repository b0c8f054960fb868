import Foundation
import Synchronization
import Testing
import Tusk
import TuskTestSupport

/// Faults that take the whole server away. Serialized: each restarts or stops the server.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct PoolFaultTests {
    final class Flags: Sendable {
        let stop = Atomic<Bool>(false)
        let recoveredAt = Mutex<ContinuousClock.Instant?>(nil)
    }

    final class TaskRecord: Sendable {
        let errors = Mutex<[String]>([])
        let untyped = Mutex(0)
        let lastSuccess = Mutex<ContinuousClock.Instant?>(nil)
        let successesAfterRecovery = Mutex(0)
    }

    @Test func serverRestartUnderSixteenLoopingTasks() async throws {
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.minConnections = 4
        configuration.maxConnections = 8
        configuration.acquireTimeout = .seconds(5)
        let pool = ConnectionPool(configuration: configuration)
        let records = (0..<16).map { _ in TaskRecord() }
        let flags = Flags()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in records {
                group.addTask {
                    while !flags.stop.load(ordering: .relaxed) {
                        do {
                            let value = try await pool.withConnection { connection in
                                try await connection.query("SELECT 1 + \(Int64(1))", timeout: .seconds(5))[0].decode(Int.self, at: 0)
                            }
                            #expect(value == 2)
                            let now = ContinuousClock.now
                            record.lastSuccess.withLock { $0 = now }
                            if let recovered = flags.recoveredAt.withLock({ $0 }), now > recovered {
                                record.successesAfterRecovery.withLock { $0 += 1 }
                            }
                        } catch {
                            record.errors.withLock { $0.append("\(error)") }
                            if !isTyped(error) { record.untyped.withLock { $0 += 1 } }
                            try? await Task.sleep(for: .milliseconds(10))
                        }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            try Server.restart()
            let recovered = ContinuousClock.now
            flags.recoveredAt.withLock { $0 = recovered }
            // Within 2 s of the server accepting connections, every task succeeds again.
            try await Task.sleep(for: .seconds(2))
            let lagging = records.filter { $0.successesAfterRecovery.withLock { $0 } == 0 }.count
            #expect(lagging == 0, "\(lagging) of 16 tasks had not succeeded within 2 s of the restart")
            try await Task.sleep(for: .seconds(1))
            flags.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        let untyped = records.map { $0.untyped.withLock { $0 } }.reduce(0, +)
        #expect(untyped == 0, "every error is typed")
        let errorCount = records.map { $0.errors.withLock { $0.count } }.reduce(0, +)
        #expect(errorCount > 0, "the restart was felt")
        await pool.close()
    }

    @Test func serverDownAtPoolStartThenRecoversByItself() async throws {
        try Server.pause()
        var resumed = false
        defer { if !resumed { try? Server.resume() } }
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.minConnections = 2
        configuration.maxConnections = 4
        configuration.acquireTimeout = .seconds(1)
        let pool = ConnectionPool(configuration: configuration)
        let error = await #expect(throws: PoolError.self) { try await pool.withConnection { _ in } }
        #expect(error?.code == .timeout)
        #expect(error?.lastConnectError?.code == .connectionRefused, "\(String(describing: error))")
        #expect(pool.statistics.consecutiveConnectFailures > 0)

        try Server.resume()
        resumed = true
        let back = ContinuousClock.now
        var value: Int?
        while value == nil, ContinuousClock.now - back < .seconds(5) {
            value = try? await pool.withConnection { try await $0.query("SELECT 42")[0].decode(Int.self, at: 0) }
        }
        #expect(value == 42)
        #expect(ContinuousClock.now - back < .seconds(3), "recovered within the maximum backoff")
        try await waitUntil { pool.statistics.idle >= 2 }
        await pool.close()
    }
}
