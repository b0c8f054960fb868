/// A connection could not be leased from a ``ConnectionPool``.
///
/// ```swift
/// do {
///     try await pool.withConnection { try await $0.execute("SELECT 1") }
/// } catch let error as PoolError where error.code == .timeout {
///     print(error.connectionsInUse, error.waiters, error.lastConnectError as Any)
/// }
/// ```
public struct PoolError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case timeout, closed }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// No connection became available within ``PoolConfiguration/acquireTimeout``.
        public static let timeout = Code(.timeout)
        /// The pool was closed.
        public static let closed = Code(.closed)
    }

    /// What went wrong.
    public var code: Code
    /// Connections leased when the acquire failed.
    public var connectionsInUse: Int
    /// Connections open (leased or idle) when the acquire failed.
    public var connectionsOpen: Int
    /// Connections being opened when the acquire failed: the pool was trying.
    public var connectionsOpening: Int
    /// Tasks waiting for a connection when the acquire failed (including this one).
    public var waiters: Int
    /// How long the acquire waited, measured.
    public var waited: Duration
    /// The last error opening a connection, when connecting fails (server down, wrong password…).
    public var lastConnectError: ConnectionError?

    /// Creates an error.
    public init(_ code: Code, connectionsInUse: Int, connectionsOpen: Int, connectionsOpening: Int = 0, waiters: Int,
                waited: Duration, lastConnectError: ConnectionError?) {
        self.code = code
        self.connectionsInUse = connectionsInUse
        self.connectionsOpen = connectionsOpen
        self.connectionsOpening = connectionsOpening
        self.waiters = waiters
        self.waited = waited
        self.lastConnectError = lastConnectError
    }

    /// `timeout: no connection within 2.0 seconds (10 in use of 10 open, 0 opening, 3 waiting); last connect error: …`.
    public var description: String {
        var text: String
        switch code {
        case .timeout: text = "timeout: no connection within \(waited)"
        default: text = "closed: the pool is closed"
        }
        text += " (\(connectionsInUse) in use of \(connectionsOpen) open, \(connectionsOpening) opening, \(waiters) waiting)"
        if let lastConnectError { text += "; last connect error: \(lastConnectError)" }
        return text
    }
}

extension PoolError.Code {
    /// Matches a ``PoolError`` with this code: `catch PoolError.Code.timeout`.
    public static func ~= (pattern: PoolError.Code, error: any Error) -> Bool {
        (error as? PoolError)?.code == pattern
    }
}
