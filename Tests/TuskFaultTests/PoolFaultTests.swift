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
        let successes = Mutex(0)
        /// When the task first succeeded after the server accepted connections again.
        let firstSuccessAfterRecovery = Mutex<ContinuousClock.Instant?>(nil)
    }

    @Test func serverRestartUnderSixteenLoopingTasks() async throws {
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.minConnections = 4
        configuration.maxConnections = 8
        configuration.acquireTimeout = .seconds(30)
        let pool = ConnectionPool(configuration: configuration)
        let records = (0..<16).map { _ in TaskRecord() }
        let flags = Flags()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in records {
                group.addTask {
                    while !flags.stop.load(ordering: .relaxed) {
                        do {
                            let value = try await pool.withConnection { connection in
                                try await connection.query("SELECT 1 + \(Int64(1))")[0].decode(Int.self, at: 0)
                            }
                            #expect(value == 2)
                            record.successes.withLock { $0 += 1 }
                            let now = ContinuousClock.now
                            if let recovered = flags.recoveredAt.withLock({ $0 }), now > recovered {
                                record.firstSuccessAfterRecovery.withLock { $0 = $0 ?? now }
                            }
                        } catch {
                            record.errors.withLock { $0.append("\(error)") }
                            if !isTyped(error) { record.untyped.withLock { $0 += 1 } }
                            // Not synchronisation: a failing task should not spin while the
                            // server is down.
                            try? await Task.sleep(for: .milliseconds(10))
                        }
                    }
                }
            }
            // Every task is running before the fault.
            try await waitUntil { records.allSatisfy { $0.successes.withLock { $0 } > 0 } }
            try await Server.restart()
            let recovered = ContinuousClock.now
            flags.recoveredAt.withLock { $0 = recovered }
            // Every task succeeds again, promptly: not after the 30 s acquire timeout.
            try await waitUntil { records.allSatisfy { $0.firstSuccessAfterRecovery.withLock { $0 } != nil } }
            let slowest = records.compactMap { $0.firstSuccessAfterRecovery.withLock { $0 } }.max().map { $0 - recovered } ?? .zero
            print("server restart: all 16 tasks succeeded again \(slowest) after the server accepted connections")
            #expect(slowest < .seconds(10), "promptly, not after the 30 s acquire timeout: \(slowest)")
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
        try await Server.pause()
        var configuration = PoolConfiguration(connection: try Server.configuration)
        configuration.minConnections = 2
        configuration.maxConnections = 4
        configuration.acquireTimeout = .seconds(1)
        let pool = ConnectionPool(configuration: configuration)
        let error = await #expect(throws: PoolError.self) { try await pool.withConnection { _ in } }
        #expect(error?.code == .timeout)
        #expect(error?.lastConnectError?.code == .connectionRefused, "\(String(describing: error))")
        #expect(pool.statistics.consecutiveConnectFailures > 0)

        try await Server.resume()
        let back = ContinuousClock.now
        // The pool reconnects by itself, within its 1 s maximum backoff; nobody has to ask.
        try await waitUntil { pool.statistics.idle >= 2 }
        let recovery = ContinuousClock.now - back
        print("server down at start: the pool had its minimum again \(recovery) after the server came back")
        #expect(recovery < .seconds(10), "promptly, within the backoff: \(recovery)")
        #expect(try await pool.withConnection { try await $0.query("SELECT 42")[0].decode(Int.self, at: 0) } == 42)
        await pool.close()
    }
}
