import Foundation
import Logging
import Testing
import Tusk

/// The real PostgreSQL server the integration tests run against, from `DATABASE_URL`
/// (`Scripts/test.sh` starts a throwaway one). Each test works in a schema of its own, so tests
/// run in parallel without seeing each other's tables.
enum TestDatabase {
    /// The server's configuration, read from `DATABASE_URL`.
    static var configuration: ConnectionConfiguration {
        get throws {
            guard ProcessInfo.processInfo.environment["DATABASE_URL"] != nil else {
                throw ConnectionError(.invalidConfiguration,
                                      message: "DATABASE_URL is not set: run the integration tests through Scripts/test.sh")
            }
            var configuration = try ConnectionConfiguration.fromEnvironment()
            configuration.applicationName = "tusk-tests"
            return configuration
        }
    }

    /// A configuration whose connections use `schema` as their search path.
    static func configuration(schema: String) throws -> ConnectionConfiguration {
        var configuration = try configuration
        configuration.settings["search_path"] = schema
        return configuration
    }

    /// Opens a connection.
    static func connect(schema: String? = nil) async throws -> Connection {
        let configuration = try schema.map { try self.configuration(schema: $0) } ?? self.configuration
        return try await Connection.connect(to: configuration)
    }

    /// A fresh, uniquely named schema.
    static func makeSchemaName(_ prefix: String = "t") -> String {
        "tusk_\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Runs `body` with a connection whose search path is a fresh schema, dropped afterwards.
    static func withSchema<T>(
        _ body: (Connection, String) async throws -> T
    ) async throws -> T {
        let schema = makeSchemaName()
        let admin = try await connect()
        try await admin.execute("CREATE SCHEMA \(ident: schema)")
        await admin.close()
        let connection = try await connect(schema: schema)
        do {
            let result = try await body(connection, schema)
            await connection.close()
            try await dropSchema(schema)
            return result
        } catch {
            await connection.close()
            try? await dropSchema(schema)
            throw error
        }
    }

    static func dropSchema(_ schema: String) async throws {
        let admin = try await connect()
        try await admin.execute("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE")
        await admin.close()
    }

    /// Whether the backend with `pid` is idle (not running a statement), seen from another
    /// connection.
    static func backendState(pid: Int32) async throws -> String? {
        let observer = try await connect()
        defer { Task { await observer.close() } }
        let result = try await observer.query("SELECT state FROM pg_stat_activity WHERE pid = \(pid)")
        return try result.first?.decode(String?.self, at: 0)
    }
}

extension TestDatabase {
    /// Runs `body` with a pool whose connections use a fresh schema as their search path; the
    /// schema is dropped afterwards.
    static func withPool<T>(
        min: Int = 0, max: Int = 4, settings: [String: String] = [:], preparedStatementCacheSize: Int? = nil,
        logger: Logger = Logger(label: "tusk.pool"),
        configure: (inout PoolConfiguration) -> Void = { _ in },
        _ body: (ConnectionPool, String) async throws -> T
    ) async throws -> T {
        let schema = makeSchemaName("p")
        let admin = try await connect()
        try await admin.execute("CREATE SCHEMA \(ident: schema)")
        await admin.close()
        var configuration = PoolConfiguration(connection: try self.configuration(schema: schema))
        configuration.minConnections = min
        configuration.maxConnections = max
        configuration.acquireTimeout = .seconds(20)
        for (name, value) in settings { configuration.connection.settings[name] = value }
        if let preparedStatementCacheSize { configuration.connection.preparedStatementCacheSize = preparedStatementCacheSize }
        configure(&configuration)
        let pool = ConnectionPool(configuration: configuration, logger: logger)
        do {
            let result = try await body(pool, schema)
            await pool.close()
            try await dropSchema(schema)
            return result
        } catch {
            await pool.close()
            try? await dropSchema(schema)
            throw error
        }
    }

    /// A connection outside any pool, looking at `schema`: the view from another client.
    static func count(_ table: String, in schema: String, where condition: SQL = "TRUE") async throws -> Int {
        let observer = try await connect(schema: schema)
        defer { Task { await observer.close() } }
        return try await observer.query("SELECT count(*) FROM \(ident: table) WHERE \(condition)")[0].decode(Int.self, at: 0)
    }
}
