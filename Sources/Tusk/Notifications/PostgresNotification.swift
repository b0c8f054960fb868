/// A notification the server delivered to a listening connection: sent by `NOTIFY channel,
/// 'payload'` or `SELECT pg_notify('channel', 'payload')` in some session, and delivered when that
/// session's transaction committed.
///
/// Named so that it does not clash with Foundation's `Notification`.
public struct PostgresNotification: Sendable, Hashable, CustomStringConvertible {
    /// The channel it was sent on, exactly as the sender spelled it (case included).
    public var channel: String
    /// The payload; empty when the sender gave none.
    public var payload: String
    /// The server process of the session that sent it (its `pg_backend_pid()`).
    public var backendPID: Int32

    /// Creates a notification; Tusk creates these, tests may too.
    public init(channel: String, payload: String, backendPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.backendPID = backendPID
    }

    /// `"orders" from 4242 (12 bytes)`: the payload's size, not its content, which may be
    /// private.
    public var description: String {
        "\(channel.debugDescription) from \(backendPID) (\(payload.utf8.count) bytes)"
    }
}
