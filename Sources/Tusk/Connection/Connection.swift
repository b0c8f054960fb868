import Logging
import Synchronization

/// One connection to PostgreSQL, driven through libpq on a thread of its own.
///
/// ```swift
/// let connection = try await Connection.connect(to: ConnectionConfiguration(url: "postgres://app@localhost/app"))
/// let rows = try await connection.query("SELECT id, email FROM users WHERE id = \(42)")
/// try await connection.close()
/// ```
///
/// Statements use the extended protocol with binary parameters and results; each distinct SQL
/// text is prepared once per connection and cached (see
/// ``ConnectionConfiguration/preparedStatementCacheSize``).
///
/// Every libpq call that can wait runs on the connection's own thread, never on Swift's
/// cooperative pool. Cancelling the calling task cancels the statement on the server; a
/// timeout does the same and throws ``ConnectionError/Code/timeout``. Either way the connection
/// stays usable, unless the cancel raced with the statement's completion: then the connection
/// is closed, because the late cancel could hit the next statement.
///
/// A connection runs one operation at a time. Share connections through a ``ConnectionPool``.
public actor Connection {
    /// Process-unique number of this connection, used in logs (`tusk_connection_id`).
    public nonisolated let id: Int
    /// The configuration it was opened with.
    public nonisolated let configuration: ConnectionConfiguration

    nonisolated let executor: ConnectionExecutor
    nonisolated let interrupt: ConnectionInterrupt
    /// Where this connection goes, as its spans and metrics name it.
    nonisolated let endpoint: DatabaseEndpoint
    /// This connection's `db.client.operation.duration` timers.
    nonisolated let operationMetrics: OperationMetrics
    nonisolated let healthState = Atomic<UInt8>(Health.opening.rawValue)
    nonisolated let backendProcessID = Atomic<Int32>(0)
    /// The server's version number once connected (150018 for 15.18), 0 before.
    nonisolated let serverVersionNumber = Atomic<Int>(0)
    /// Whether the server ended the session (a FATAL error) while no command was running: every
    /// command sent afterwards reached no backend.
    nonisolated let endedBetweenCommands = SessionEndFlag()
    /// The established connection's socket, for the pool's quick idle check; -1 when closed.
    nonisolated let socketDescriptor = Atomic<Int32>(-1)
    let logger: Logger

    var handle: PGConnectionHandle?
    var statements: PreparedStatementCache
    var columnTypeCache = ColumnTypeCache()
    var pendingDeallocations: [String] = []
    /// The operation that owns the connection, if any; a COPY owns it across several calls.
    var activeOperation: ActiveOperation?
    var operationCounter: UInt64 = 0
    /// Callers waiting for the running operation to finish, first come first served.
    var turns = TurnQueue<CheckedContinuation<Void, any Error>>()
    var counters = ConnectionStatistics()

    /// The connection's serial executor: its own thread.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// The connection's thread as a task executor, for `withTaskExecutorPreference`.
    public nonisolated var taskExecutor: any TaskExecutor { executor.taskExecutor }

    /// Runs `body` on the connection's own thread, so each statement it awaits costs no thread
    /// switch (a statement otherwise hops from the caller's thread to the connection's and back).
    ///
    /// ```swift
    /// try await connection.withPinnedExecution {
    ///     for id in ids { _ = try await connection.query("SELECT * FROM users WHERE id = \(id)") }
    /// }
    /// ```
    ///
    /// ``ConnectionPool/withConnection(pinned:_:)`` and sessions do this for you. Code in `body` that is
    /// isolated to an actor still runs on that actor.
    ///
    /// - Warning: `body` shares the thread with the connection's I/O: CPU-heavy work in it delays
    ///   nothing else, but blocking calls block this connection.
    public nonisolated func withPinnedExecution<T, Failure: Error>(
        _ body: () async throws(Failure) -> T
    ) async throws(Failure) -> T {
        try await withTaskExecutorPreference(executor.taskExecutor, operation: body)
    }

    private static let nextID = Atomic<Int>(1)

    private init(configuration: ConnectionConfiguration, logger: Logger) throws {
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.configuration = configuration
        executor = try ConnectionExecutor(name: "tusk-conn-\(id)")
        interrupt = try ConnectionInterrupt()
        endpoint = DatabaseEndpoint(configuration)
        operationMetrics = OperationMetrics(factory: configuration.metricsFactory, endpoint: endpoint)
        var logger = logger
        logger[metadataKey: "tusk_connection_id"] = "\(id)"
        self.logger = logger
        // A transaction-mode pooler may run the next statement on a server session that never
        // saw the Parse: every statement goes unnamed.
        statements = PreparedStatementCache(capacity: configuration.pooler == .transactionMode ? 0 : configuration.preparedStatementCacheSize)
    }

    // MARK: - Opening and closing

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - configuration: where and how to connect.
    ///   - logger: receives server notices and, at debug level, statements (values redacted
    ///     unless ``ConnectionConfiguration/logParameters`` is set).
    /// - Throws: ``ConnectionError`` with a code that tells refused, timeout, authentication,
    ///   unknown database, TLS and server-starting failures apart; `CancellationError` if the task
    ///   is cancelled.
    public static func connect(
        to configuration: ConnectionConfiguration,
        logger: Logger = Logger(label: "tusk")
    ) async throws -> Connection {
        let connection = try Connection(configuration: configuration, logger: logger)
        try await connection.open()
        return connection
    }

    private func open() async throws {
        try Task.checkCancellation()
        try configuration.checkPoolerCompatibility()
        let token = interrupt.arm()
        defer { interrupt.disarm() }
        let deadline = ContinuousClock.now.advanced(by: configuration.connectTimeout)
        let logger = self.logger
        let opened = try await withTaskCancellationHandler {
            try PGConnectionHandle.connect(
                parameters: configuration.libpqParameters,
                target: configuration.target,
                deadline: deadline,
                interrupt: interrupt,
                onNotice: { [endedBetweenCommands] notice in
                    // libpq hands a FATAL that arrives between commands to the notice receiver
                    // and drops it: the server ended the session before the next command.
                    if notice.severity == "FATAL" || notice.severity == "PANIC" {
                        endedBetweenCommands.set()
                    }
                    Connection.log(notice: notice, to: logger)
                }
            )
        } onCancel: { [interrupt] in
            interrupt.interrupt(token, reason: .cancelled)
        }
        handle = opened
        backendProcessID.store(opened.backendPID, ordering: .relaxed)
        serverVersionNumber.store(opened.serverVersion, ordering: .relaxed)
        socketDescriptor.store(opened.socket, ordering: .releasing)
        setHealth(.idle)
        logger.debug("connected", metadata: ["tusk_backend_pid": "\(opened.backendPID)", "tusk_target": "\(configuration)"])
    }

    /// Closes the connection (a Terminate message, then the socket). Closing twice does nothing.
    /// An operation in progress on another task fails with ``ConnectionError/Code/closed``.
    public func close() {
        guard let handle else { return }
        socketDescriptor.store(-1, ordering: .releasing)
        self.handle = nil
        activeOperation = nil
        resumeTurnWaiters()
        statements.removeAll()
        columnTypeCache.removeAll()
        setHealth(.closed)
        _ = handle  // released here: PQfinish runs in its deinit, on this thread
        logger.debug("closed")
    }

    // MARK: - Status

    /// The server process serving this connection (`pg_backend_pid()`), 0 before it opened.
    public nonisolated var backendPID: Int32 {
        backendProcessID.load(ordering: .relaxed)
    }

    /// Whether the connection was closed or broke.
    public nonisolated var isClosed: Bool {
        let health = currentHealth
        return health == .closed || health == .broken
    }

    /// Whether the connection can be handed to another user as it is: open, idle, outside any
    /// transaction, not in COPY. A pool reuses only such connections.
    public nonisolated var isReusable: Bool {
        currentHealth == .idle
    }

    nonisolated var currentHealth: Health {
        Health(rawValue: healthState.load(ordering: .acquiring)) ?? .broken
    }

    /// Counters of what this connection sent, for tests and diagnostics.
    public var statistics: ConnectionStatistics { counters }

    /// The version of the libpq Tusk is linked against, e.g. 150018 for 15.18.
    public static var libpqVersion: Int { PGConnectionInfo.libraryVersion }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int? { handle?.serverVersion }

    /// The server's version number as it was when the connection opened, without a hop onto the
    /// connection (0 before it opened).
    nonisolated var versionAtConnect: Int { serverVersionNumber.load(ordering: .relaxed) }

    /// Whether the server ended the session between commands (its FATAL came while nothing ran).
    nonisolated var serverEndedTheSessionBetweenCommands: Bool { endedBetweenCommands.isSet }

    /// Whether the connection is encrypted with TLS.
    public var usesTLS: Bool { handle?.usesTLS ?? false }

    /// Whether the connection is still alive, checked without a round trip: it reads whatever
    /// the server sent while the connection was idle (a termination notice, end of file).
    public func isAlive() -> Bool {
        guard let handle, activeOperation == nil else { return handle != nil }
        if handle.checkAliveWithoutRoundTrip() { return true }
        markBroken()
        return false
    }

    /// Whether an idle connection is certainly alive, decided on the caller's thread: nothing
    /// arrived on its socket while it was idle. nil means something did (a termination notice,
    /// end of file) and ``isAlive()`` must read it on the connection's thread.
    ///
    /// Only for a connection nobody else uses at the moment (a pool lease), so it cannot be
    /// closed meanwhile.
    nonisolated func isCertainlyAliveWhileIdle() -> Bool? {
        guard currentHealth == .idle else { return false }
        let socket = socketDescriptor.load(ordering: .acquiring)
        guard socket >= 0 else { return false }
        return SystemCalls.hasPendingInput(socket) ? nil : true
    }

    /// The connection's state as the pool sees it.
    enum Health: UInt8, Sendable {
        case opening, idle, busy, inTransaction, inFailedTransaction, broken, closed
    }

    func setHealth(_ health: Health) {
        healthState.store(health.rawValue, ordering: .releasing)
    }

    /// Refreshes the health after an operation from libpq's view of the connection.
    func refreshHealth() {
        guard let handle else {
            setHealth(.closed)
            return
        }
        if handle.isBad {
            markBroken()
        } else if activeOperation != nil {
            setHealth(.busy)
        } else if handle.isIdleOutsideTransaction {
            setHealth(.idle)
        } else if handle.isInFailedTransaction {
            setHealth(.inFailedTransaction)
        } else {
            setHealth(.inTransaction)
        }
    }

    /// Closes the connection because it can no longer be trusted (lost, or a cancel may be in
    /// flight).
    func markBroken() {
        socketDescriptor.store(-1, ordering: .releasing)
        handle = nil
        activeOperation = nil
        resumeTurnWaiters()
        statements.removeAll()
        columnTypeCache.removeAll()
        setHealth(.broken)
    }

    /// Wakes every waiting caller; each finds the connection closed.
    func resumeTurnWaiters() {
        for waiter in turns.removeAll() { waiter.resume() }
    }

    /// Refuses, before sending, a statement whose effect would outlive its transaction behind a
    /// transaction-mode pooler (see ``ServerPooler/transactionMode``).
    nonisolated func checkPoolerAllows(_ text: String) throws {
        guard configuration.pooler == .transactionMode, let reason = TransactionPoolerGuard.refusal(of: text) else { return }
        throw configuration.target.error(.invalidUsage, "not through a transaction-mode pooler: \(reason)")
    }

    var closedError: ConnectionError {
        configuration.target.error(.closed, currentHealth == .broken
            ? "the connection broke earlier and was closed"
            : "the connection is closed")
    }

    // MARK: - Logging

    static func log(notice: PostgresError, to logger: Logger) {
        let level: Logger.Level
        switch notice.severity {
        case "WARNING": level = .warning
        case "NOTICE": level = .notice
        case "INFO", "LOG": level = .info
        default: level = .debug
        }
        var metadata: Logger.Metadata = ["tusk_sqlstate": "\(notice.sqlState)"]
        if let detail = notice.detail { metadata["tusk_detail"] = "\(detail)" }
        if let hint = notice.hint { metadata["tusk_hint"] = "\(hint)" }
        logger.log(level: level, "\(notice.severity): \(notice.message)", metadata: metadata)
    }

    func logStatement(_ text: String, bindings: PostgresBindings) {
        guard logger.logLevel <= .debug else { return }
        var metadata: Logger.Metadata = ["tusk_sql": "\(text)"]
        if bindings.count > 0 {
            metadata["tusk_binds"] = configuration.logParameters
                ? "\(describe(bindings))"
                : "[\(bindings.count) value(s) redacted]"
        }
        logger.debug("statement", metadata: metadata)
    }

    private func describe(_ bindings: PostgresBindings) -> String {
        var parts: [String] = []
        var offset = 0
        let bytes = bindings.buffer.bytes
        for type in bindings.types {
            guard offset + 4 <= bytes.count else { break }
            let length = bytes[offset..<(offset + 4)].reduce(0) { ($0 << 8) | Int32($1) }
            offset += 4
            if length < 0 {
                parts.append("NULL")
            } else {
                let value = bytes[offset..<(offset + Int(length))]
                parts.append(type.hasTextualBinaryForm || type == .text
                    ? String(decoding: value, as: UTF8.self).debugDescription
                    : "\(type) \(value.map { String($0, radix: 16) }.joined())")
                offset += Int(length)
            }
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}

/// What a connection has sent, counted since it opened.
public struct ConnectionStatistics: Sendable, Hashable {
    /// Times the connection sent something and waited for the server's answer. A pipeline is one
    /// round trip, however many statements it holds; preparing a new statement adds one.
    public var roundTrips = 0
    /// Statements executed (each statement of a pipeline counts).
    public var statements = 0
    /// Statements prepared (Parse messages for named statements).
    public var preparedStatements = 0
}

/// The operation that currently owns a connection.
struct ActiveOperation {
    enum Kind {
        case statement
        case copyIn
        case copyOut
    }

    let kind: Kind
    let token: UInt64
    var control: OperationControl
    /// COPY TO STDOUT: all data was read.
    var copyOutFinished = false
}
