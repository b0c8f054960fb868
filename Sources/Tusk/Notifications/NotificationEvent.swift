/// What a ``NotificationSequence`` hands out: a notification, or the news that the listening
/// connection was lost and replaced, so notifications sent meanwhile may be missing.
///
/// ```swift
/// for try await event in try await pool.notifications(channel: "orders") {
///     switch event {
///     case .notification(let notification):
///         try await handle(notification.payload)
///     case .reconnected(let gap):
///         // Anything sent during the gap may be lost: read the current state from the tables.
///         try await resynchronize()
///     }
/// }
/// ```
///
/// It is an enum rather than a plain notification so that a consumer has to decide what a gap
/// means for it: PostgreSQL does not queue notifications for a session that is gone.
public enum NotificationEvent: Sendable {
    /// A notification arrived.
    case notification(PostgresNotification)
    /// The listening connection was lost; a new one listens on every channel again. Notifications
    /// sent while no connection listened were not received and never will be.
    case reconnected(NotificationGap)
}
