import CoreMetrics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How to reach and set up a PostgreSQL connection.
///
/// Build one from a URL, a libpq `key=value` string, the environment, or by hand:
///
/// ```swift
/// var configuration = try ConnectionConfiguration(url: "postgres://app:secret@db.internal:5432/app?sslmode=require")
/// configuration.applicationName = "billing"
/// configuration.queryTimeout = .seconds(5)
/// ```
///
/// Libpq parses URLs and DSNs, so everything it supports works: percent-encoding, multi-host
/// lists with `target_session_attrs`, `sslrootcert`, and so on. Options Tusk has no property for
/// travel in ``parameters`` to libpq unchanged.
///
/// The password is never part of ``description`` or any error.
public struct ConnectionConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// One server to try; libpq tries several in order.
    public struct Host: Sendable, Hashable {
        /// A host name, an IP address, or a Unix-socket directory (starting with `/`).
        public var name: String
        /// The TCP port, or the socket file's number.
        public var port: Int

        /// Creates a host.
        public init(_ name: String, port: Int = 5432) {
            self.name = name
            self.port = port
        }
    }

    /// libpq's `sslmode`.
    public struct TLSMode: Sendable, Hashable, CustomStringConvertible {
        /// libpq's keyword value.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The keyword value, e.g. `require`.
        public var description: String { rawValue }

        /// No TLS.
        public static let disable = TLSMode("disable")
        /// TLS only if the server insists.
        public static let allow = TLSMode("allow")
        /// TLS if the server offers it (libpq's default).
        public static let prefer = TLSMode("prefer")
        /// TLS required, certificate not verified.
        public static let require = TLSMode("require")
        /// TLS required, certificate chain verified against `sslrootcert`.
        public static let verifyCA = TLSMode("verify-ca")
        /// TLS required, certificate chain and host name verified.
        public static let verifyFull = TLSMode("verify-full")

        /// The mode named `name` as libpq spells it, or nil.
        public init?(named name: String) {
            switch name {
            case "disable", "allow", "prefer", "require", "verify-ca", "verify-full": self.init(name)
            default: return nil
            }
        }
    }

    /// The servers to try, in order (libpq multi-host). At least one.
    public var hosts: [Host]
    /// The user name.
    public var user: String
    /// The password, if the server asks for one. Never printed: ``description``, `dump` and
    /// `Mirror` show `[redacted]` or `***`.
    public var password: String? {
        get { secret?.value }
        set { secret = newValue.map(Redacted.init) }
    }
    /// The database name; libpq defaults it to the user name.
    public var database: String?
    /// TLS policy.
    public var tls: TLSMode
    /// Reported to the server as `application_name` (visible in `pg_stat_activity`).
    public var applicationName: String?
    /// How long opening a connection may take, across all hosts. Enforced by Tusk, because libpq
    /// ignores `connect_timeout` in non-blocking mode.
    public var connectTimeout: Duration
    /// Run-time settings sent at connection start (`-c name=value` in libpq's `options`):
    /// `TimeZone` is UTC by default so `timestamp` values read as UTC.
    public var settings: [String: String]
    /// The default timeout of each statement, enforced by the client: when it expires the
    /// statement is cancelled on the server and ``ConnectionError/Code/timeout`` is thrown.
    /// Per-call `timeout:` arguments override it. nil (the default) waits indefinitely.
    public var queryTimeout: Duration?
    /// How many prepared statements each connection keeps, keyed by SQL text; 0 turns named
    /// prepared statements off (PgBouncer in transaction mode). Default 256.
    public var preparedStatementCacheSize: Int
    /// Whether statements logged at debug level include their bound values. Default false: values
    /// are redacted.
    public var logParameters: Bool
    /// Further libpq keywords (`target_session_attrs`, `sslrootcert`, `keepalives_idle`, …),
    /// passed through unchanged.
    public var parameters: [String: String]
    /// What sits between Tusk and the server: ``ServerPooler/none`` (the default) for PostgreSQL
    /// itself or a session-mode pooler, ``ServerPooler/transactionMode`` behind PgBouncer's
    /// `pool_mode = transaction`, which makes every path safe there (see ``ServerPooler``).
    public var pooler: ServerPooler
    /// Where the connection's `db.client.operation.duration` metric goes; nil (the default)
    /// uses the bootstrapped `MetricsSystem`. A pool passes its own
    /// ``PoolConfiguration/metricsFactory`` down when this is nil.
    public var metricsFactory: (any MetricsFactory)?

    /// The password, stored in a wrapper because reflection lists stored properties whatever
    /// ``description`` says: `dump(configuration)` would otherwise print it.
    private var secret: Redacted<String>?

    /// Creates a configuration for one host.
    public init(
        host: String = "127.0.0.1",
        port: Int = 5432,
        user: String = "postgres",
        password: String? = nil,
        database: String? = nil,
        tls: TLSMode = .prefer
    ) {
        hosts = [Host(host, port: port)]
        self.user = user
        secret = password.map(Redacted.init)
        self.database = database
        self.tls = tls
        applicationName = "tusk"
        connectTimeout = .seconds(10)
        settings = ["TimeZone": "UTC"]
        queryTimeout = nil
        preparedStatementCacheSize = 256
        logParameters = false
        parameters = [:]
        pooler = .none
        metricsFactory = nil
    }

    /// Parses a `postgres://` or `postgresql://` URL:
    /// `postgres://user:password@host:port,host2:port2/database?sslmode=require&connect_timeout=5`.
    ///
    /// Percent-encode reserved characters in the user name and password (`@` as `%40`, `/` as
    /// `%2F`); a second raw `@` before the host is rejected rather than guessed at.
    ///
    /// - Throws: ``ConnectionError/Code/invalidConfiguration`` naming what is wrong, never
    ///   quoting the password.
    public init(url: String) throws {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw ConnectionError(.invalidConfiguration, message: "a connection URL starts with postgres:// or postgresql://")
        }
        try self.init(parsing: url)
    }

    /// Parses a libpq `key=value` string: `host=localhost port=5432 dbname=app user=app`.
    ///
    /// - Throws: ``ConnectionError/Code/invalidConfiguration`` naming what is wrong, never
    ///   quoting the password.
    public init(dsn: String) throws {
        try self.init(parsing: dsn)
    }

    /// Parses either form: a URL when the string starts with `postgres://` or `postgresql://`,
    /// otherwise a `key=value` DSN.
    ///
    /// - Throws: ``ConnectionError/Code/invalidConfiguration`` naming what is wrong, never
    ///   quoting the password.
    public init(connectionString: String) throws {
        if connectionString.hasPrefix("postgres://") || connectionString.hasPrefix("postgresql://") {
            try self.init(url: connectionString)
        } else {
            try self.init(dsn: connectionString)
        }
    }

    /// Reads `DATABASE_URL` (a URL or DSN) from the environment.
    ///
    /// - Throws: ``ConnectionError/Code/invalidConfiguration`` when it is unset or invalid.
    public static func fromEnvironment(_ variable: String = "DATABASE_URL") throws -> ConnectionConfiguration {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
            throw ConnectionError(.invalidConfiguration, message: "\(variable) is not set")
        }
        return try ConnectionConfiguration(connectionString: value)
    }

    /// Parses with libpq (which redacts its own messages), then checks what libpq accepted.
    private init(parsing connectionString: String) throws {
        let secrets = ConnectionStringSecrets(connectionString)
        guard !secrets.hasAmbiguousUserinfo else {
            // libpq would take `u:pa@ss@host` for password "pa" on host "ss@host".
            throw ConnectionError(.invalidConfiguration, message: "the URL has more than one \"@\" before the host; write \"@\" in a user name or password as %40")
        }
        let options = try PGConnectionInfo.parse(connectionString)
        do {
            try self.init(options: options)
        } catch let error as ConnectionError {
            // Tusk's own checks quote values libpq split out of the string, and a password with a
            // raw '/' lands in them (`postgres://u:pa/ss@h` reads as host "u", port "pa").
            throw secrets.redact(error)
        }
    }

    private init(options: [String: String]) throws {
        self.init()
        var remaining = options
        let hostNames = remaining.removeValue(forKey: "host").map(Self.splitList) ?? []
        let hostAddresses = remaining.removeValue(forKey: "hostaddr").map(Self.splitList) ?? []
        let portTexts = remaining.removeValue(forKey: "port").map(Self.splitList) ?? []
        let names = hostNames.isEmpty ? hostAddresses : hostNames
        if !hostAddresses.isEmpty, !hostNames.isEmpty {
            // Both given: libpq connects to hostaddr and uses host for TLS; keep both.
            parameters["hostaddr"] = hostAddresses.joined(separator: ",")
        }
        var ports: [Int] = []
        for text in portTexts {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ConnectionError(.invalidConfiguration, message: "invalid port \(text.debugDescription)")
            }
            ports.append(port)
        }
        let count = max(names.count, 1)
        guard ports.count <= 1 || ports.count == count else {
            throw ConnectionError(.invalidConfiguration, message: "\(ports.count) ports for \(count) hosts")
        }
        hosts = (0..<count).map { index in
            let name = names.isEmpty ? "127.0.0.1" : (names[index].isEmpty ? "127.0.0.1" : names[index])
            let port = ports.isEmpty ? 5432 : ports[ports.count == 1 ? 0 : index]
            return Host(name, port: port)
        }
        if let user = remaining.removeValue(forKey: "user"), !user.isEmpty { self.user = user }
        password = remaining.removeValue(forKey: "password")
        database = remaining.removeValue(forKey: "dbname")
        if let mode = remaining.removeValue(forKey: "sslmode") {
            guard let tls = TLSMode(named: mode) else {
                throw ConnectionError(.invalidConfiguration, message: "invalid sslmode \(mode.debugDescription)")
            }
            self.tls = tls
        }
        if let name = remaining.removeValue(forKey: "application_name") { applicationName = name }
        if let timeout = remaining.removeValue(forKey: "connect_timeout") {
            guard let seconds = Int(timeout), seconds >= 0 else {
                throw ConnectionError(.invalidConfiguration, message: "invalid connect_timeout \(timeout.debugDescription)")
            }
            // libpq: 0 means wait indefinitely; Tusk keeps a bound anyway, one hour.
            connectTimeout = seconds == 0 ? .seconds(3600) : .seconds(seconds)
        }
        if let options = remaining.removeValue(forKey: "options"), !options.isEmpty {
            parameters["options"] = options
        }
        remaining.removeValue(forKey: "client_encoding")
        for (key, value) in remaining { parameters[key] = value }
    }

    private static func splitList(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: - libpq

    /// The keyword/value pairs handed to `PQconnectStartParams`.
    var libpqParameters: [(String, String)] {
        var result: [(String, String)] = [
            ("host", hosts.map(\.name).joined(separator: ",")),
            ("port", hosts.map { String($0.port) }.joined(separator: ",")),
            ("user", user),
            ("sslmode", tls.rawValue),
            ("client_encoding", "UTF8"),
        ]
        if let password { result.append(("password", password)) }
        if let database { result.append(("dbname", database)) }
        if let applicationName { result.append(("application_name", applicationName)) }
        var options = parameters["options"] ?? ""
        // A transaction-mode pooler refuses startup options (checked at connect).
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) where pooler == .none {
            if !options.isEmpty { options += " " }
            options += "-c \(Self.escapeOption(name))=\(Self.escapeOption(value))"
        }
        if !options.isEmpty { result.append(("options", options)) }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) where key != "options" {
            result.append((key, value))
        }
        return result
    }

    /// Refuses what cannot reach the server through ``pooler``: settings and startup options
    /// through a transaction-mode pooler, which would either refuse them (PgBouncer) or apply
    /// them to one server session out of many. The default `TimeZone=UTC` is left out instead:
    /// Tusk reads the zone the server reports.
    func checkPoolerCompatibility() throws {
        guard pooler == .transactionMode else { return }
        let custom = settings.filter { !($0.key == "TimeZone" && $0.value == "UTC") }
        if !custom.isEmpty || parameters["options"] != nil {
            let names = (custom.keys.sorted() + (parameters["options"] == nil ? [] : ["options"])).joined(separator: ", ")
            throw target.error(.invalidConfiguration, """
                settings cannot travel through a transaction-mode pooler (\(names)): set them on the server \
                (ALTER DATABASE … SET / ALTER ROLE … SET) or per transaction with SET LOCAL
                """)
        }
    }

    /// libpq's `options` separates arguments by spaces; a backslash escapes a space or backslash.
    private static func escapeOption(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == " " || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Where errors say Tusk was connecting: the first host, the user and database.
    var target: ConnectionTarget {
        ConnectionTarget(
            host: hosts.map(\.name).joined(separator: ","),
            port: hosts.first?.port,
            database: database ?? user,
            user: user,
            password: password
        )
    }

    // MARK: - Description

    /// `postgres://user:***@host:port/database?sslmode=…`, never the password.
    public var description: String {
        var text = "postgres://\(user)"
        if password != nil { text += ":***" }
        text += "@" + hosts.map { "\($0.name):\($0.port)" }.joined(separator: ",")
        text += "/\(database ?? user)?sslmode=\(tls.rawValue)"
        return text
    }

    /// The description plus the options that are not secret.
    public var debugDescription: String {
        var text = description
        text += " connectTimeout=\(connectTimeout)"
        if let queryTimeout { text += " queryTimeout=\(queryTimeout)" }
        text += " preparedStatementCacheSize=\(preparedStatementCacheSize)"
        let visible = parameters.filter { !$0.key.contains("password") && $0.key != "sslpassword" }
        if !visible.isEmpty { text += " parameters=\(visible.sorted { $0.key < $1.key })" }
        return text
    }
}
