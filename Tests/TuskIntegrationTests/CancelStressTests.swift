import Foundation
import Testing
import Tusk
import TuskTestSupport

/// Cancellation at every moment of a statement's life — before it is sent, while the server runs
/// it, after it finished — must cancel that statement or nothing: never the next statement, and
/// it must not cost a reconnect when the connection is safe to keep.
@Suite struct CancelStressTests {
    @Test func cancelsAtRandomOffsetsNeverReachTheNextStatementAndRarelyCostAReconnect() async throws {
        var configuration = PoolConfiguration(connection: try TestDatabase.configuration)
        configuration.minConnections = 1
        configuration.maxConnections = 1
        let pool = ConnectionPool(configuration: configuration)
        let iterations = 2_000
        var reconnects = 0
        var cancelled = 0
        var previousPID: Int32?
        var connectionID = 0
        for iteration in 0..<iterations {
            let sql: SQL = iteration % 2 == 0 ? "SELECT 1" : "SELECT pg_sleep(0.001)"
            let victim = Task { try await pool.withConnection { try await $0.query(sql) } }
            // A random offset: some yields, and sometimes a short pause, so the cancel lands
            // before the send, during the statement, or after it completed.
            for _ in 0..<Int.random(in: 0...20) { await Task.yield() }
            if Bool.random() { try await Task.sleep(for: .microseconds(Int.random(in: 0...1_500))) }
            victim.cancel()
            switch await victim.result {
            case .success:
                break
            case .failure(let error):
                #expect(error is CancellationError, "the victim fails only with CancellationError: \(error)")
                cancelled += 1
            }
            // The sentinel runs in a task nobody cancels: it must never see 57014 or a
            // CancellationError meant for the victim.
            let (value, pid, id) = try await pool.withConnection { connection in
                (try await connection.query("SELECT 42")[0].decode(Int32.self, at: 0), connection.backendPID, connection.id)
            }
            #expect(value == 42)
            if let previousPID, previousPID != pid { reconnects += 1 }
            previousPID = pid
            connectionID = id
        }
        print("cancel stress: \(iterations) iterations, \(cancelled) cancelled, \(reconnects) reconnects "
              + "(\(String(format: "%.1f", Double(reconnects) * 100 / Double(iterations))) %)")
        #expect(cancelled > 0, "some cancels landed")
        #expect(reconnects * 100 < iterations, "a cancel keeps the connection when it is safe: \(reconnects) reconnects")

        // The connection's thread is blocked, not spinning on a stale wake-up: over half a second
        // of idleness it uses (almost) no CPU. The pause is a measuring window, not a wait for
        // an event.
        let thread = "tusk-conn-\(connectionID)"
        let before = ThreadCPU.ticks(ofThreadsNamed: thread)
        try await Task.sleep(for: .milliseconds(500))
        let used = ThreadCPU.ticks(ofThreadsNamed: thread) - before
        #expect(used * 10 < ThreadCPU.ticksPerSecond, "\(thread) used \(used) ticks while idle")
        await pool.close()
    }

    /// A cancel request that reaches the backend while it is still reading the statement is
    /// ignored by PostgreSQL; Tusk repeats it, so a long statement cancelled right after it was
    /// sent still ends at once, with CancellationError, not after the 10 s grace period as a lost
    /// connection (or after the statement's 30 s).
    @Test func aLongStatementCancelledRightAfterItsSendAlwaysEndsPromptly() async throws {
        let connection = try await TestDatabase.connect()
        var slowest: Duration = .zero
        for iteration in 0..<300 {
            let victim = Task { try await connection.query("SELECT pg_sleep(30)") }
            for _ in 0..<(iteration % 8) { await Task.yield() }
            let start = ContinuousClock.now
            victim.cancel()
            let result = await victim.result
            slowest = max(slowest, ContinuousClock.now - start)
            #expect(throws: CancellationError.self, "iteration \(iteration)") { try result.get() }
        }
        print("early cancels: the slowest of 300 returned after \(slowest)")
        #expect(slowest < .seconds(10), "promptly, not after the grace period: \(slowest)")
        #expect(!connection.isClosed)
        await connection.close()
    }
}
