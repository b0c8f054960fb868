import Foundation
import Logging
import Testing
import Tusk
import TuskTestSupport

@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct SecurityTests {
    static var tlsURL: String? { ProcessInfo.processInfo.environment["TUSK_PG_TLS_URL"] }
    static var scram: (user: String, password: String)? {
        let environment = ProcessInfo.processInfo.environment
        guard let user = environment["TUSK_PG_SCRAM_USER"], let password = environment["TUSK_PG_SCRAM_PASSWORD"] else { return nil }
        return (user, password)
    }

    @Test func requireAgainstAServerWithoutTLSIsRefused() async throws {
        let server = try NoTLSServer()
        defer { server.stop() }
        var configuration = try Server.configuration
        configuration.hosts = [.init("127.0.0.1", port: server.port)]
        configuration.tls = .require
        let error = await #expect(throws: ConnectionError.self) { try await Connection.connect(to: configuration) }
        #expect(error?.code == .tlsRequired, "\(String(describing: error))")
    }

    @Test(.enabled(if: SecurityTests.tlsURL != nil, "needs the TLS cluster of Scripts/postgres.sh start --tls"))
    func tlsWorksWithRequireAndVerifyFullRejectsTheSelfSignedName() async throws {
        let url = try #require(Self.tlsURL)
        let connection = try await Connection.connect(to: ConnectionConfiguration(url: url))
        #expect(await connection.usesTLS)
        #expect(try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0].decode(Bool.self, at: 0))
        await connection.close()

        var strict = try ConnectionConfiguration(url: url)
        strict.tls = .verifyFull
        strict.parameters["sslrootcert"] = ProcessInfo.processInfo.environment["TUSK_PG_TLS_CERT"] ?? "/nonexistent"
        let error = await #expect(throws: ConnectionError.self) { try await Connection.connect(to: strict) }
        #expect(error?.code == .tlsFailed, "\(String(describing: error))")
    }

    @Test(.enabled(if: SecurityTests.scram != nil, "needs the SCRAM role of Scripts/postgres.sh start --scram"))
    func thePasswordAppearsInNoErrorDescriptionLogOrMetric() async throws {
        let scram = try #require(Self.scram)
        let logs = Locked<[String]>([])
        var logger = Logger(label: "tusk.security") { _ in CapturingLogHandler(store: logs) }
        logger.logLevel = .trace
        let metrics = CapturingMetricsFactory()

        var good = try Server.configuration
        good.user = scram.user
        good.password = scram.password
        good.database = "postgres"
        var bad = good
        bad.password = "Wrong-\(scram.password)-Wrong"

        var seen: [String] = ["\(good)", good.debugDescription, "\(bad)", bad.debugDescription, String(reflecting: good)]
        do {
            _ = try await Connection.connect(to: bad, logger: logger)
            Issue.record("a wrong password must fail")
        } catch {
            seen += ["\(error)", String(reflecting: error)]
        }
        var poolConfiguration = PoolConfiguration(connection: bad)
        poolConfiguration.acquireTimeout = .milliseconds(500)
        poolConfiguration.metricsFactory = metrics
        let badPool = ConnectionPool(configuration: poolConfiguration, logger: logger)
        do {
            try await badPool.withConnection { _ in }
        } catch {
            seen += ["\(error)", String(reflecting: error)]
        }
        await badPool.close()
        poolConfiguration.connection = good
        let pool = ConnectionPool(configuration: poolConfiguration, logger: logger)
        try await pool.withConnection { connection in
            _ = try await connection.query("SELECT current_user, \(scram.user)")
        }
        await pool.close()
        seen += logs.value + metrics.labels.value
        #expect(logs.value.count > 3, "trace logging captured the work")
        for text in seen {
            #expect(!text.contains(scram.password), "the password leaked into: \(text)")
        }
    }

    @Test func boundValuesAreRedactedInLogsUnlessOptedIn() async throws {
        let logs = Locked<[String]>([])
        var logger = Logger(label: "tusk.redaction") { _ in CapturingLogHandler(store: logs) }
        logger.logLevel = .debug
        let secret = "card-4111-1111-\(UInt16.random(in: 1000...9999))"
        let redacted = try await Connection.connect(to: Server.configuration, logger: logger)
        _ = try await redacted.query("SELECT \(secret)::text")
        await redacted.close()
        #expect(logs.value.contains { $0.contains("redacted") })
        #expect(!logs.value.contains { $0.contains(secret) })

        var configuration = try Server.configuration
        configuration.logParameters = true
        let verbose = try await Connection.connect(to: configuration, logger: logger)
        _ = try await verbose.query("SELECT \(secret)::text")
        await verbose.close()
        #expect(logs.value.contains { $0.contains(secret) }, "shown when the application opts in")
    }
}
