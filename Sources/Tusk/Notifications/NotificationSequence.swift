import Synchronization

/// The notifications of one or more channels, received on a dedicated connection: see
/// ``ConnectionPool/notifications(channels:options:)``.
///
/// It can be iterated once: its connection belongs to the first iterator. Ending the iteration —
/// the consuming task is cancelled, the loop breaks, the iterator is dropped — closes the
/// connection, and with it the server forgets the `LISTEN`s. A sequence that is never iterated
/// closes its connection when it is dropped.
///
/// Notifications are read only while the consumer asks for the next one. A consumer that falls
/// far behind leaves them queued on the server, and PostgreSQL's notification queue is shared
/// by the whole cluster (8 GB by default): when it fills, every `NOTIFY` fails at commit.
public struct NotificationSequence: AsyncSequence, Sendable {
    /// A notification, or a gap after the connection was replaced.
    public typealias Element = NotificationEvent
    /// What iterating can throw.
    public typealias Failure = any Error

    /// Holds the listener until the first iterator takes it.
    private final class Start: Sendable {
        let listener: Mutex<NotificationListener?>
        init(_ listener: NotificationListener) { self.listener = Mutex(listener) }
        func take() -> NotificationListener? { listener.withLock { $0.take() } }
    }

    private let start: Start

    init(listener: NotificationListener) {
        start = Start(listener)
    }

    /// The iterator; the first one owns the listening connection.
    public func makeAsyncIterator() -> Iterator {
        Iterator(listener: start.take())
    }

    /// Hands out the events of a ``NotificationSequence``.
    public struct Iterator: AsyncIteratorProtocol {
        private var listener: NotificationListener?
        private var refused = false

        init(listener: NotificationListener?) {
            self.listener = listener
        }

        /// The next notification or gap, waiting for it on the connection's own thread; nil once
        /// the task is cancelled.
        ///
        /// - Throws: ``NotificationError/Code/alreadyIterated`` from a second iterator of the
        ///   same sequence; the last connect error when
        ///   ``NotificationOptions/maximumReconnectAttempts`` attempts failed.
        public mutating func next() async throws -> NotificationEvent? {
            guard listener != nil else {
                if refused { return nil }
                refused = true
                throw NotificationError(.alreadyIterated,
                                        message: "a NotificationSequence can be iterated once; ask the pool for another")
            }
            return try await listener?.next()
        }
    }
}
