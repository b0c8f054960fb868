/// An error of the connection itself: it could not be opened, it was lost, it timed out, or it was
/// used in a way the protocol does not allow.
///
/// Each failure has a ``Code`` that can be matched without reading the message:
///
/// ```swift
/// do {
///     let connection = try await Connection.connect(to: configuration)
/// } catch let error as ConnectionError where error.code == .authenticationFailed {
///     // wrong password: do not retry
/// }
/// ```
///
/// Messages name the host, port, database and user, never the password: Tusk removes it from
/// libpq's messages before they reach an error, a description or a log.
public struct ConnectionError: Error, Sendable, Hashable {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connectionRefused, connectTimeout, authenticationFailed, databaseNotFound
            case tlsRequired, tlsFailed, serverStarting, tooManyConnections, connectFailed
            case connectionLost, timeout, closed, invalidConfiguration, invalidUsage, protocolViolation
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name, e.g. `connectionRefused`.
        public var description: String { base.rawValue }

        /// Nothing listens at the host and port, or the host cannot be resolved or reached.
        public static let connectionRefused = Code(.connectionRefused)
        /// The connection was not established within the connect timeout.
        public static let connectTimeout = Code(.connectTimeout)
        /// The server rejected the user or password (SQLSTATE 28P01/28000, pg_hba rejection).
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The database does not exist (SQLSTATE 3D000).
        public static let databaseNotFound = Code(.databaseNotFound)
        /// TLS was required (`sslmode=require` or stricter) but the server does not offer it.
        public static let tlsRequired = Code(.tlsRequired)
        /// The TLS handshake or certificate verification failed.
        public static let tlsFailed = Code(.tlsFailed)
        /// The server is starting up, shutting down or in recovery (SQLSTATE 57P03).
        public static let serverStarting = Code(.serverStarting)
        /// The server has no free connection slot (SQLSTATE 53300).
        public static let tooManyConnections = Code(.tooManyConnections)
        /// The connection could not be established for another reason; the message says which.
        public static let connectFailed = Code(.connectFailed)
        /// An established connection broke: the backend was terminated, the server restarted or
        /// crashed, or the network failed. Work not yet committed is lost; the connection is closed.
        public static let connectionLost = Code(.connectionLost)
        /// A per-call or default query timeout expired; the statement was cancelled on the server
        /// and the connection remains usable.
        public static let timeout = Code(.timeout)
        /// The connection was closed by the application and can no longer be used.
        public static let closed = Code(.closed)
        /// The configuration (URL, DSN, option) is invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The call is not allowed in the connection's current state (e.g. COPY inside a pipeline,
        /// or two calls at once on one connection).
        public static let invalidUsage = Code(.invalidUsage)
        /// The server sent something Tusk did not expect.
        public static let protocolViolation = Code(.protocolViolation)
    }

    /// What went wrong.
    public var code: Code
    /// A readable explanation, including libpq's message when there is one (password removed).
    public var message: String
    /// The host Tusk tried or was connected to, if known.
    public var host: String?
    /// The port Tusk tried or was connected to, if known.
    public var port: Int?
    /// The database name, if known.
    public var database: String?
    /// The user name, if known.
    public var user: String?
    /// The server error that accompanied the failure, if the server sent one (e.g. FATAL 57P01
    /// when an administrator terminated the backend).
    public var serverError: PostgresError?

    /// Creates an error; Tusk creates these, tests and wrappers may too.
    public init(
        _ code: Code,
        message: String,
        host: String? = nil,
        port: Int? = nil,
        database: String? = nil,
        user: String? = nil,
        serverError: PostgresError? = nil
    ) {
        self.code = code
        self.message = message
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.serverError = serverError
    }

    /// Whether the connection is gone: lost, closed, or never established.
    public var isConnectionUnusable: Bool {
        code != .timeout && code != .invalidUsage && code != .invalidConfiguration
    }
}

extension ConnectionError: CustomStringConvertible {
    /// `connectionRefused: <message> (host 127.0.0.1, port 5432, database app, user app)`.
    public var description: String {
        var text = "\(code): \(message)"
        var target: [String] = []
        if let host { target.append("host \(host)") }
        if let port { target.append("port \(port)") }
        if let database { target.append("database \(database)") }
        if let user { target.append("user \(user)") }
        if !target.isEmpty { text += " (\(target.joined(separator: ", ")))" }
        return text
    }
}

extension ConnectionError.Code {
    /// Matches a ``ConnectionError`` with this code: `catch ConnectionError.Code.connectionLost`.
    public static func ~= (pattern: ConnectionError.Code, error: any Error) -> Bool {
        (error as? ConnectionError)?.code == pattern
    }
}
