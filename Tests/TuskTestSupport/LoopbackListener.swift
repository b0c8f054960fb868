#if canImport(Glibc)
import Glibc
#endif
import Tusk

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks. The kernel completes the
/// handshake of every client, but nobody speaks unless a test does: a server that is "there" but
/// never answers.
public final class LoopbackListener: Sendable {
    /// The listening socket.
    public let descriptor: Int32
    /// The port it listens on.
    public let port: Int

    /// Binds and listens.
    ///
    /// - Throws: ``ConnectionError`` when the socket cannot be bound or listened on.
    public init(backlog: Int32 = 16) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = Self.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            Glibc.close(descriptor)
            port = 0
            throw ConnectionError(.connectFailed, message: "listener failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a client's connection waits in the accept queue: the client has connected and
    /// is now waiting for an answer that never comes.
    public var hasPendingConnection: Bool {
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }

    /// Stops listening; wakes a thread blocked in `accept`.
    public func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
    }

    /// A TCP connection to 127.0.0.1:`port`, or nil when nothing accepts it.
    public static func connect(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    /// A port nothing listens on (bound, read, released).
    public static func freePort() throws -> Int {
        let listener = try LoopbackListener()
        listener.close()
        return listener.port
    }
}
