import Logging

/// Keeps every log message, at every level, for inspection.
public struct CapturingLogHandler: LogHandler {
    let store: Locked<[String]>
    /// Every level is kept.
    public var logLevel: Logger.Level = .trace
    /// The logger's metadata.
    public var metadata: Logger.Metadata = [:]

    /// A handler appending each message (level, text, metadata, error) to `store`.
    public init(store: Locked<[String]>) {
        self.store = store
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Keeps the message.
    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { " error: \($0)" } ?? ""
        store.withLock { $0.append("\(event.level) \(event.message) \(all)\(error)") }
    }

    /// A logger whose messages all go to `store`.
    public static func logger(_ label: String = "tusk.test", into store: Locked<[String]>) -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(store: store) }
        logger.logLevel = .trace
        return logger
    }
}
