/// How a ``NotificationSequence`` keeps its dedicated connection alive and replaces it when it
/// is lost.
///
/// ```swift
/// var options = NotificationOptions()
/// options.maximumBackoff = .seconds(10)
/// options.keepaliveInterval = .seconds(15)
/// let events = try await pool.notifications(channel: "orders", options: options)
/// ```
public struct NotificationOptions: Sendable {
    /// The delay before the second connect attempt after a loss (the first is immediate); it
    /// doubles with each failure. Default 50 ms.
    public var initialBackoff: Duration
    /// The longest delay between connect attempts. Each delay is randomly shortened by up to
    /// half, so listeners of a restarted server do not all reconnect at once. Default 2 s.
    public var maximumBackoff: Duration
    /// Connect attempts after a loss before the sequence gives up and throws the last error;
    /// nil (the default) retries for as long as it is iterated. 0 never reconnects: the first
    /// loss ends the sequence with its error.
    public var maximumReconnectAttempts: Int?
    /// After this long without traffic the connection is checked with an empty statement, so a
    /// connection that died silently (a network partition) is noticed and replaced; nil never
    /// checks. Default 30 s.
    public var keepaliveInterval: Duration?
    /// How long the keepalive waits for the server's answer before the connection is given up.
    /// Default 10 s.
    public var keepaliveTimeout: Duration
    /// A value in 0...1 that scales each backoff delay between half and all of it. Injectable so
    /// that a test can fix it.
    var jitter: @Sendable () -> Double

    /// Creates options; the defaults are above.
    public init(
        initialBackoff: Duration = .milliseconds(50),
        maximumBackoff: Duration = .seconds(2),
        maximumReconnectAttempts: Int? = nil,
        keepaliveInterval: Duration? = .seconds(30),
        keepaliveTimeout: Duration = .seconds(10)
    ) {
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumReconnectAttempts = maximumReconnectAttempts.map { max(0, $0) }
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveTimeout = keepaliveTimeout
        jitter = { Double.random(in: 0...1) }
    }

    /// The delay after `failures` failed connect attempts (1, 2, …): exponential from
    /// ``initialBackoff``, capped at ``maximumBackoff``, scaled by `jitter` (clamped to 0...1)
    /// between half and all of it.
    func backoff(afterFailures failures: Int, jitter: Double) -> Duration {
        let exponential = initialBackoff * (1 << min(max(failures - 1, 0), 20))
        return min(exponential, maximumBackoff).scaled(by: 0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}
