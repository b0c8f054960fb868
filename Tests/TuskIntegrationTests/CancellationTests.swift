import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite struct CancellationTests {
    @Test func taskCancellationCancelsTheStatementOnTheServer() async throws {
        let connection = try await TestDatabase.connect()
        let pid = connection.backendPID
        let sleeper = Task { try await connection.query("SELECT pg_sleep(30)") }
        try await waitUntil { try await TestDatabase.backendState(pid: pid) == "active" }
        let start = ContinuousClock.now
        sleeper.cancel()
        let result = await sleeper.result
        let elapsed = ContinuousClock.now - start
        #expect(throws: CancellationError.self) { try result.get() }
        print("cancelled statement returned after \(elapsed)")
        #expect(elapsed < .seconds(10), "promptly, not after the 30 s sleep: \(elapsed)")
        #expect(try await TestDatabase.backendState(pid: pid) == "idle")
        #expect(try await connection.query("SELECT 5")[0].decode(Int32.self, at: 0) == 5)
        #expect(connection.backendPID == pid)
        await connection.close()
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let connection = try await TestDatabase.connect()
        let before = await connection.statistics
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await connection.query("SELECT 1")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(await connection.statistics == before)
        await connection.close()
    }

    @Test func perCallTimeoutCancelsAndThrowsTimeout() async throws {
        let connection = try await TestDatabase.connect()
        let start = ContinuousClock.now
        let error = await #expect(throws: ConnectionError.self) {
            try await connection.query("SELECT pg_sleep(30)", timeout: .milliseconds(200))
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.code == .timeout)
        print("a 200 ms timeout returned after \(elapsed)")
        #expect(elapsed < .seconds(10), "at the timeout, not after the 30 s sleep: \(elapsed)")
        #expect(try await connection.query("SELECT 6")[0].decode(Int32.self, at: 0) == 6)
        await connection.close()
    }

    @Test func defaultTimeoutFromConfiguration() async throws {
        var configuration = try TestDatabase.configuration
        configuration.queryTimeout = .milliseconds(150)
        let connection = try await Connection.connect(to: configuration)
        let error = await #expect(throws: ConnectionError.self) { try await connection.execute("SELECT pg_sleep(5)") }
        #expect(error?.code == .timeout)
        #expect(try await connection.query("SELECT 1", timeout: .seconds(5)).count == 1)
        await connection.close()
    }

    @Test func serverStatementTimeoutIsATypedError() async throws {
        let connection = try await TestDatabase.connect()
        try await connection.execute("SET statement_timeout = '100ms'")
        let error = await #expect(throws: PostgresError.self) { try await connection.execute("SELECT pg_sleep(5)") }
        #expect(error?.sqlState == .queryCanceled)
        try await connection.execute("SET statement_timeout = 0")
        #expect(try await connection.query("SELECT 7")[0].decode(Int32.self, at: 0) == 7)
        await connection.close()
    }

    @Test func concurrentCallsAreSerializedNotInterleaved() async throws {
        let connection = try await TestDatabase.connect()
        async let first = connection.query("SELECT pg_sleep(0.2), 1")
        async let second = connection.query("SELECT 2")
        let (a, b) = try await (first, second)
        #expect(try a[0].decode(Int32.self, at: 1) == 1)
        #expect(try b[0].decode(Int32.self, at: 0) == 2)
        await connection.close()
    }

    @Test func statementsDuringACopyAreRefused() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.execute("CREATE TABLE t (v int)")
            let error = await #expect(throws: ConnectionError.self) {
                try await connection.copyIn("COPY t FROM STDIN") { _ in
                    try await connection.execute("SELECT 1")
                }
            }
            #expect(error?.code == .invalidUsage)
            #expect(try await connection.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0) == 0)
        }
    }
}
