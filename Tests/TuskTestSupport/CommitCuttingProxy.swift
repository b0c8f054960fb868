#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A TCP proxy on loopback in front of PostgreSQL that, once armed, lets the server's answer to
/// a `COMMIT` die on the way: it forwards everything up to the `CommandComplete` message whose tag
/// is `COMMIT`, then drops that message and closes both connections. The server has committed;
/// the client sees its connection lost while COMMIT was in flight. That is the one failure in
/// which "did it commit?" has a definite answer the client cannot see.
///
/// Clients must connect without TLS or GSS encryption (`sslmode=disable`, `gssencmode=disable`):
/// the proxy reads the server's messages. Each direction runs on a thread of its own.
public final class CommitCuttingProxy: Sendable {
    private struct State {
        var armed = false
        var cuts = 0
        var sockets: Set<Int32> = []
    }

    private let listener: LoopbackListener
    private let targetPort: Int
    private let state = Mutex(State())

    /// The port clients connect to.
    public var port: Int { listener.port }

    /// How many COMMIT answers were cut.
    public var cuts: Int { state.withLock { $0.cuts } }

    /// A proxy to the server on 127.0.0.1:`targetPort`.
    ///
    /// - Throws: when the listening socket cannot be set up.
    public init(targetPort: Int) throws {
        listener = try LoopbackListener(backlog: 16)
        self.targetPort = targetPort
        let descriptor = listener.descriptor
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(descriptor, nil, nil)
                if client < 0 { return }
                serve(client)
            }
        }
    }

    /// Cuts the next COMMIT answer, on whichever connection it comes.
    public func armCutAtNextCommit() {
        state.withLock { $0.armed = true }
    }

    /// Stops accepting and closes every connection.
    public func stop() {
        listener.close()
        let sockets = state.withLock { state -> Set<Int32> in
            defer { state.sockets.removeAll() }
            return state.sockets
        }
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    private func serve(_ client: Int32) {
        guard let server = LoopbackListener.connect(port: targetPort) else {
            Glibc.close(client)
            return
        }
        state.withLock { $0.sockets.formUnion([client, server]) }
        Thread.detachNewThread { [self] in copy(from: client, to: server) }
        Thread.detachNewThread { [self] in forwardMessages(from: server, to: client) }
    }

    /// Client to server: bytes as they come.
    private func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count <= 0 { break }
            guard send(all: buffer[0..<count], to: destination) else { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    /// Server to client: whole messages (type byte, 4-byte length), watching for the cut.
    private func forwardMessages(from server: Int32, to client: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(server, &buffer, buffer.count)
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            var start = 0
            var out: [UInt8] = []
            while pending.count - start >= 5 {
                let length = Int(UInt32(pending[start + 1]) << 24 | UInt32(pending[start + 2]) << 16
                                 | UInt32(pending[start + 3]) << 8 | UInt32(pending[start + 4]))
                let end = start + 1 + length
                guard pending.count >= end else { break }
                let isCommitComplete = pending[start] == UInt8(ascii: "C")
                    && Array(pending[(start + 5)..<end]) == Array("COMMIT\0".utf8)
                if isCommitComplete, takeArmedCut() {
                    _ = send(all: out[...], to: client)
                    shutdown(client, Int32(SHUT_RDWR))
                    shutdown(server, Int32(SHUT_RDWR))
                    return
                }
                out.append(contentsOf: pending[start..<end])
                start = end
            }
            pending.removeFirst(start)
            guard send(all: out[...], to: client) else { break }
        }
        shutdown(client, Int32(SHUT_WR))
    }

    private func takeArmedCut() -> Bool {
        state.withLock { state in
            guard state.armed else { return false }
            state.armed = false
            state.cuts += 1
            return true
        }
    }

    private func send(all bytes: ArraySlice<UInt8>, to destination: Int32) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }
}
