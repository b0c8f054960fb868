import Logging

/// The logic behind a ``NotificationSequence``'s iterator: hand out what the connection
/// received, keep it alive while idle, and when it is lost, connect again with backoff and
/// report the gap before anything the new connection receives.
///
/// It runs only inside `next()`: no task of its own, no thread besides the connection's. A
/// cancelled consumer ends it; the connection is closed on the way out.
struct NotificationListener: Sendable {
    /// Opens a new connection that already listens on every channel.
    typealias Connect = @Sendable () async throws -> any ListeningConnection

    private let connect: Connect
    private let options: NotificationOptions
    private let clock: PoolClock
    private let logger: Logger
    /// nil only once the listener has finished.
    private var connection: (any ListeningConnection)?
    /// Received, not yet handed out.
    private var pending: ArraySlice<PostgresNotification> = []
    /// The last moment the connection was known to listen: the start of any gap.
    private var lastConfirmed: ContinuousClock.Instant

    init(connection: any ListeningConnection, connect: @escaping Connect, options: NotificationOptions,
         clock: PoolClock, logger: Logger) {
        self.connection = connection
        self.connect = connect
        self.options = options
        self.clock = clock
        self.logger = logger
        lastConfirmed = clock.now()
    }

    /// The next event; nil once the task is cancelled (the connection is closed first).
    ///
    /// - Throws: the last connect error when ``NotificationOptions/maximumReconnectAttempts``
    ///   attempts failed; the sequence is over then.
    mutating func next() async throws -> NotificationEvent? {
        while let connection {
            if Task.isCancelled {
                await finish()
                return nil
            }
            if let notification = pending.popFirst() { return .notification(notification) }
            do {
                let received = try await connection.waitForNotifications(idleTimeout: options.keepaliveInterval)
                if received.isEmpty {
                    try await connection.keepAlive(timeout: options.keepaliveTimeout)
                }
                pending = received[...]
                lastConfirmed = clock.now()
            } catch {
                // A cancelled wait can also end as a lost connection (the cancel raced with a
                // failure); either way the consumer is gone.
                if Task.isCancelled {
                    await finish()
                    return nil
                }
                return try await reconnect(after: error)
            }
        }
        return nil
    }

    /// Replaces the lost connection. The first attempt is immediate: a terminated backend is
    /// usually replaceable at once; later ones back off, because a restarting server refuses
    /// connections for a while.
    private mutating func reconnect(after cause: any Error) async throws -> NotificationEvent? {
        if let connection { await connection.close() }
        logger.warning("the notification listener lost its connection; reconnecting",
                       metadata: ["tusk_error": "\(cause)"])
        var attempts = 0
        var lastError = cause
        while true {
            if let limit = options.maximumReconnectAttempts, attempts >= limit {
                connection = nil
                pending = []
                logger.error("the notification listener gave up reconnecting",
                             metadata: ["tusk_attempts": "\(attempts)", "tusk_error": "\(lastError)"])
                throw lastError
            }
            do {
                if attempts > 0 {
                    let delay = options.backoff(afterFailures: attempts, jitter: options.jitter())
                    try await clock.sleep(clock.now() + delay)
                }
                attempts += 1
                connection = try await connect()
                break
            } catch {
                if Task.isCancelled {
                    connection = nil
                    pending = []
                    return nil
                }
                lastError = error
                logger.debug("the notification listener could not reconnect",
                             metadata: ["tusk_attempt": "\(attempts)", "tusk_error": "\(error)"])
            }
        }
        let now = clock.now()
        let gap = NotificationGap(cause: cause, duration: now - lastConfirmed, attempts: attempts)
        lastConfirmed = now
        logger.info("the notification listener listens again", metadata: ["tusk_gap": "\(gap)"])
        return .reconnected(gap)
    }

    /// Closes the connection and ends the listener.
    private mutating func finish() async {
        pending = []
        if let connection {
            self.connection = nil
            await connection.close()
        }
    }
}
