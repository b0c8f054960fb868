import Testing
@testable import Tusk

@Suite struct ConnectionConfigurationTests {
    @Test func parsesURL() throws {
        let configuration = try ConnectionConfiguration(
            url: "postgresql://app:s%40cret@db.internal:6543/orders?sslmode=require&application_name=billing&connect_timeout=3&target_session_attrs=read-write")
        #expect(configuration.hosts == [.init("db.internal", port: 6543)])
        #expect(configuration.user == "app")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "orders")
        #expect(configuration.tls == .require)
        #expect(configuration.applicationName == "billing")
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.parameters["target_session_attrs"] == "read-write")
    }

    @Test func parsesMultiHostURL() throws {
        let configuration = try ConnectionConfiguration(url: "postgres://u@h1:5432,h2:5433/db")
        #expect(configuration.hosts == [.init("h1", port: 5432), .init("h2", port: 5433)])
        let parameters = Dictionary(configuration.libpqParameters, uniquingKeysWith: { $1 })
        #expect(parameters["host"] == "h1,h2")
        #expect(parameters["port"] == "5432,5433")
    }

    @Test func parsesDSN() throws {
        let configuration = try ConnectionConfiguration(dsn: "host=/var/run/postgresql port=5433 user=app dbname='my db' options='-c work_mem=64MB'")
        #expect(configuration.hosts == [.init("/var/run/postgresql", port: 5433)])
        #expect(configuration.database == "my db")
        let parameters = Dictionary(configuration.libpqParameters, uniquingKeysWith: { $1 })
        #expect(parameters["options"] == "-c work_mem=64MB -c TimeZone=UTC")
        #expect(parameters["client_encoding"] == "UTF8")
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: ConnectionError.self) { try ConnectionConfiguration(url: "mysql://x") }
        #expect(throws: ConnectionError.self) { try ConnectionConfiguration(dsn: "host='unterminated") }
        #expect(throws: ConnectionError.self) { try ConnectionConfiguration(dsn: "port=99999") }
        #expect(throws: ConnectionError.self) { try ConnectionConfiguration(dsn: "sslmode=sometimes") }
        let error = #expect(throws: ConnectionError.self) { try ConnectionConfiguration(dsn: "nonsense") }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func descriptionsNeverShowThePassword() throws {
        let configuration = try ConnectionConfiguration(url: "postgres://app:TopSecret42@db/app")
        #expect(!configuration.description.contains("TopSecret42"))
        #expect(!configuration.debugDescription.contains("TopSecret42"))
        #expect(!"\(configuration)".contains("TopSecret42"))
        #expect(configuration.description.contains("***"))
    }

    @Test func settingsAreEscapedIntoOptions() throws {
        var configuration = ConnectionConfiguration()
        configuration.settings["search_path"] = "my schema"
        let parameters = Dictionary(configuration.libpqParameters, uniquingKeysWith: { $1 })
        #expect(parameters["options"] == #"-c TimeZone=UTC -c search_path=my\ schema"#)
    }

    @Test func scrubsPasswordsFromMessages() {
        let target = ConnectionTarget(host: "h", port: 1, database: "d", user: "u", password: "hunter2")
        #expect(target.error(.connectFailed, "bad hunter2 here").message == "bad [password] here")
    }
}

@Suite struct PreparedStatementCacheTests {
    @Test func evictsLeastRecentlyUsed() {
        var cache = PreparedStatementCache(capacity: 2)
        let a = PreparedStatementCache.Key(text: "a", types: [])
        let b = PreparedStatementCache.Key(text: "b", types: [])
        let c = PreparedStatementCache.Key(text: "c", types: [])
        #expect(cache.record(a, name: cache.makeName()) == nil)
        #expect(cache.record(b, name: cache.makeName()) == nil)
        #expect(cache.name(for: a) == "tusk_1")
        #expect(cache.record(c, name: cache.makeName()) == "tusk_2")
        #expect(cache.name(for: b) == nil)
        #expect(cache.count == 2)
    }

    @Test func keysIncludeParameterTypes() {
        var cache = PreparedStatementCache(capacity: 4)
        _ = cache.record(.init(text: "SELECT $1", types: [.int8]), name: "s1")
        #expect(cache.name(for: .init(text: "SELECT $1", types: [.text])) == nil)
    }

    @Test func zeroCapacityDisablesTheCache() {
        #expect(!PreparedStatementCache(capacity: 0).isEnabled)
    }
}
