import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite struct ConnectErrorTests {
    @Test func wrongPortIsRefused() async throws {
        var configuration = try TestDatabase.configuration
        configuration.hosts = [.init("127.0.0.1", port: try LoopbackListener.freePort())]
        configuration.connectTimeout = .seconds(30)
        let error = await #expect(throws: ConnectionError.self) { try await Connection.connect(to: configuration) }
        // Refused, not timed out: the code says which.
        #expect(error?.code == .connectionRefused)
        #expect(error?.port == configuration.hosts[0].port)
    }

    @Test func unknownDatabase() async throws {
        var configuration = try TestDatabase.configuration
        configuration.database = "no_such_database_\(UInt32.random(in: 0...UInt32.max))"
        let error = await #expect(throws: ConnectionError.self) { try await Connection.connect(to: configuration) }
        #expect(error?.code == .databaseNotFound)
        #expect(error?.description.contains(configuration.database ?? "") == true)
    }

    @Test(.enabled(if: TestDatabase.hasScramRole, "needs the SCRAM role of Scripts/postgres.sh start --scram"))
    func wrongPasswordNeverShowsThePassword() async throws {
        var configuration = try TestDatabase.scramConfiguration
        configuration.password = "definitely-Wrong-\(UInt32.random(in: 0...UInt32.max))"
        let error = await #expect(throws: ConnectionError.self) { try await Connection.connect(to: configuration) }
        #expect(error?.code == .authenticationFailed)
        let password = try #require(configuration.password)
        #expect(!"\(error.map { "\($0)" } ?? "")".contains(password))
        #expect(!String(reflecting: error as Any).contains(password))
    }

    @Test(.enabled(if: TestDatabase.hasScramRole, "needs the SCRAM role of Scripts/postgres.sh start --scram"))
    func scramLoginWorks() async throws {
        let connection = try await Connection.connect(to: TestDatabase.scramConfiguration)
        #expect(try await connection.query("SELECT current_user")[0].decode(String.self, at: 0) == "tusk_scram")
        await connection.close()
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        var configuration = try TestDatabase.configuration
        configuration.hosts = [.init("127.0.0.1", port: listener.port)]
        configuration.connectTimeout = .milliseconds(500)
        let start = ContinuousClock.now
        let error = await #expect(throws: ConnectionError.self) { try await Connection.connect(to: configuration) }
        let elapsed = ContinuousClock.now - start
        #expect(error?.code == .connectTimeout)
        print("connect to a silent server timed out after \(elapsed) (timeout 500 ms)")
        #expect(elapsed >= .milliseconds(450), "not before the timeout: \(elapsed)")
        #expect(elapsed < .seconds(10), "at the timeout, not never: \(elapsed)")
    }

    @Test func connectIsCancellable() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        var configuration = try TestDatabase.configuration
        configuration.hosts = [.init("127.0.0.1", port: listener.port)]
        configuration.connectTimeout = .seconds(30)
        let task = Task { try await Connection.connect(to: configuration) }
        // The connect is under way: its TCP connection waits in the listener's queue.
        try await waitUntil { listener.hasPendingConnection }
        let start = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let elapsed = ContinuousClock.now - start
        print("cancelled connect returned after \(elapsed)")
        #expect(elapsed < .seconds(10), "promptly, not after the 30 s connect timeout: \(elapsed)")
    }
}

extension TestDatabase {
    /// Whether the cluster has the SCRAM role (Scripts/test.sh always starts one that has).
    static var hasScramRole: Bool {
        ProcessInfo.processInfo.environment["TUSK_PG_SCRAM_USER"] != nil
    }

    /// The SCRAM role `Scripts/postgres.sh start --scram` creates.
    static var scramConfiguration: ConnectionConfiguration {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            guard let user = environment["TUSK_PG_SCRAM_USER"], let password = environment["TUSK_PG_SCRAM_PASSWORD"] else {
                throw ConnectionError(.invalidConfiguration, message: "TUSK_PG_SCRAM_USER/PASSWORD unset: start the cluster with Scripts/postgres.sh start --scram")
            }
            var configuration = try configuration
            configuration.user = user
            configuration.password = password
            configuration.database = "postgres"
            return configuration
        }
    }
}
