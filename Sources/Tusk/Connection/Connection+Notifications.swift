import Logging

extension Connection {
    // MARK: - NOTIFY

    /// Sends a notification on `channel` with `SELECT pg_notify($1, $2)`, both values bound.
    /// Outside a transaction it is delivered at once; inside one, when the transaction commits,
    /// and not at all if it rolls back.
    ///
    /// - Throws: ``NotificationError/Code/invalidChannel`` before anything is sent;
    ///   ``PostgresError`` when the server refuses the payload (8000 bytes or more); the errors
    ///   of ``execute(_:timeout:)``.
    public func notify(channel: String, payload: String = "") async throws {
        try NotificationChannel.validate(channel)
        try await execute(Self.notifyStatement(channel: channel, payload: payload))
    }

    /// The one statement every notify path sends.
    static func notifyStatement(channel: String, payload: String) -> SQL {
        "SELECT pg_notify(\(channel), \(payload))"
    }

    // MARK: - LISTEN

    /// Opens a connection that listens on every channel of `channels` (already validated).
    static func listening(to channels: [String], configuration: ConnectionConfiguration,
                          logger: Logger) async throws -> Connection {
        let connection = try await Connection.connect(to: configuration, logger: logger)
        do {
            try await connection.executeScript(SQL(unsafeRaw: NotificationChannel.listenScript(channels)))
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }
}

extension Connection: ListeningConnection {
    /// Waits on the connection's own thread, polling its socket and its interrupt: the caller's
    /// task is suspended meanwhile, no cooperative thread blocks, and cancelling the task wakes
    /// the poll. Nothing runs on the server, so unlike a statement's wait no cancel request is
    /// sent.
    func waitForNotifications(idleTimeout: Duration?) async throws -> [PostgresNotification] {
        let deadline = idleTimeout.map { ContinuousClock.now.advanced(by: $0) }
        return try await withOperation(timeout: nil) { handle, _ in
            switch try handle.waitForNotifications(until: deadline, sessionEnded: { serverEndedTheSessionBetweenCommands }) {
            case .received(let notifications): return notifications
            case .timedOut: return []
            case .interrupted: throw CancellationError()
            }
        }
    }

    func keepAlive(timeout: Duration) async throws {
        try await ping(timeout: timeout)
    }
}
