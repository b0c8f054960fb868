import Tusk

/// Iterates a ``NotificationSequence`` in a task of its own and keeps every event with the
/// instant it arrived, so a test can wait for "the n-th notification arrived" with
/// ``waitUntil(timeout:_:)`` and then look at what came, in order.
public final class NotificationCollector: Sendable {
    /// One event and when the consumer got it.
    public struct Received: Sendable {
        /// The event.
        public let event: NotificationEvent
        /// When `next()` returned it.
        public let at: ContinuousClock.Instant
    }

    private let received = Locked<[Received]>([])
    private let outcome = Locked<Result<Void, any Error>?>(nil)
    private let task: Task<Void, Never>

    /// Starts consuming `sequence`.
    public init(_ sequence: NotificationSequence) {
        let received = self.received
        let outcome = self.outcome
        task = Task {
            do {
                for try await event in sequence {
                    received.withLock { $0.append(Received(event: event, at: .now)) }
                }
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
    }

    /// Every event so far.
    public var events: [Received] { received.value }

    /// The notifications so far, gaps left out.
    public var notifications: [PostgresNotification] {
        events.compactMap { if case .notification(let notification) = $0.event { notification } else { nil } }
    }

    /// The gaps so far.
    public var gaps: [NotificationGap] {
        events.compactMap { if case .reconnected(let gap) = $0.event { gap } else { nil } }
    }

    /// How the iteration ended: success when the sequence returned nil; nil while it runs.
    public var ended: Result<Void, any Error>? { outcome.value }

    /// Waits until `count` notifications arrived (30 s at most) and returns them.
    @discardableResult
    public func waitForNotifications(_ count: Int, fileID: String = #fileID, line: Int = #line) async throws -> [PostgresNotification] {
        try await waitUntil(fileID: fileID, line: line) { notifications.count >= count }
        return notifications
    }

    /// When the notification with `payload` arrived, if it did.
    public func arrival(of payload: String) -> ContinuousClock.Instant? {
        events.first { if case .notification(let notification) = $0.event { notification.payload == payload } else { false } }?.at
    }

    /// Cancels the consuming task and waits for it to end.
    public func stop() async {
        task.cancel()
        await task.value
    }
}
