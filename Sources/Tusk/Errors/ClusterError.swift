/// A ``DatabaseCluster`` could not serve a read as asked.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can be matched.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The code's name.
        public var description: String { name }

        /// No replica replayed the commit the read must see within the wait
        /// (``ClusterConfiguration/LaggingReplicaPolicy/waitThenFail(_:)``).
        public static let replicaBehind = Code("replicaBehind")
    }

    /// What went wrong.
    public let code: Code
    /// A readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `ClusterError.<code>: <message>`.
    public var description: String { "ClusterError.\(code): \(message)" }
}
