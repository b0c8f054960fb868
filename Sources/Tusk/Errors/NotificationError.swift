/// LISTEN/NOTIFY was asked for something it cannot do: a channel name that is not a valid
/// identifier, or a ``NotificationSequence`` iterated a second time. Nothing was sent.
///
/// ```swift
/// do {
///     try await pool.notify(channel: "", payload: "x")
/// } catch let error as NotificationError where error.code == .invalidChannel {
///     // empty, longer than 63 bytes, or containing NUL
/// }
/// ```
public struct NotificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case invalidChannel, alreadyIterated }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code's name.
        public var description: String { base.rawValue }

        /// A channel name is empty, longer than 63 bytes (PostgreSQL's identifier limit, past
        /// which `LISTEN` would silently truncate it while `pg_notify` rejects it) or contains
        /// NUL; or no channel was given.
        public static let invalidChannel = Code(.invalidChannel)
        /// A ``NotificationSequence`` was iterated a second time. It owns one listening
        /// connection, which its first iterator consumes; ask the pool for another sequence.
        public static let alreadyIterated = Code(.alreadyIterated)
    }

    /// What went wrong.
    public var code: Code
    /// A readable explanation.
    public var message: String
    /// The offending channel name, when the error is about one.
    public var channel: String?

    /// Creates an error.
    public init(_ code: Code, message: String, channel: String? = nil) {
        self.code = code
        self.message = message
        self.channel = channel
    }

    /// `invalidChannel: the channel name is empty`.
    public var description: String { "\(code): \(message)" }
}

extension NotificationError.Code {
    /// Matches a ``NotificationError`` with this code.
    public static func ~= (pattern: NotificationError.Code, error: any Error) -> Bool {
        (error as? NotificationError)?.code == pattern
    }
}
