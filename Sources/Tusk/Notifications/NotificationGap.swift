/// The interval in which a ``NotificationSequence`` had no connection listening, reported by
/// ``NotificationEvent/reconnected(_:)``.
public struct NotificationGap: Sendable, CustomStringConvertible {
    /// Why the old connection was given up: usually a ``ConnectionError`` with code
    /// `connectionLost` (the backend was terminated, the server restarted), or `timeout` when a
    /// keepalive got no answer.
    public var cause: any Error
    /// From the last moment the old connection was known to be listening (its last read or
    /// keepalive) until `LISTEN` took effect on the new one. Notifications committed in this
    /// interval may be missing; those committed after it are delivered.
    public var duration: Duration
    /// Connect attempts it took; 1 when the first one succeeded.
    public var attempts: Int

    /// Creates a gap; Tusk creates these, tests may too.
    public init(cause: any Error, duration: Duration, attempts: Int) {
        self.cause = cause
        self.duration = duration
        self.attempts = attempts
    }

    /// `no listener for 1.2 seconds (3 connect attempts) after: connectionLost: …`.
    public var description: String {
        "no listener for \(duration) (\(attempts) connect attempt\(attempts == 1 ? "" : "s")) after: \(cause)"
    }
}
