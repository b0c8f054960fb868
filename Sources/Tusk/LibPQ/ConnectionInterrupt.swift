import CLibPQ
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a connection's current wait was interrupted.
enum InterruptReason: UInt8, Sendable, Equatable {
    /// The task running the operation was cancelled.
    case cancelled = 1
}

/// Wakes a connection thread that waits on its socket, from any thread.
///
/// Each operation arms the interrupt with a fresh token; an interrupt for an older token (a
/// cancellation handler that fires after its operation ended) is ignored, so it can never hit
/// the next operation. Arming and disarming cost no system call unless an interrupt was
/// actually signalled.
final class ConnectionInterrupt: Sendable {
    private struct State {
        var armedToken: UInt64 = 0
        var nextToken: UInt64 = 1
        /// The eventfd holds a wake-up that nobody drained yet.
        var signalled = false
    }

    private let state = Mutex(State())
    private let pendingReason = Atomic<UInt8>(0)
    /// Read end polled by the connection thread; write end signalled by `interrupt`.
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() throws {
        #if os(Linux)
        let fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else {
            throw ConnectionError(.connectFailed, message: "eventfd failed: errno \(errno)")
        }
        readDescriptor = fd
        writeDescriptor = fd
        #else
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw ConnectionError(.connectFailed, message: "pipe failed: errno \(errno)")
        }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        #endif
    }

    deinit {
        close(readDescriptor)
        if writeDescriptor != readDescriptor { close(writeDescriptor) }
    }

    /// Arms the interrupt for a new operation and returns its token.
    func arm() -> UInt64 {
        let (token, mustDrain) = state.withLock { state in
            state.armedToken = state.nextToken
            state.nextToken += 1
            let mustDrain = state.signalled
            state.signalled = false
            return (state.armedToken, mustDrain)
        }
        pendingReason.store(0, ordering: .releasing)
        if mustDrain { drain() }
        return token
    }

    /// Disarms the interrupt; later interrupts are ignored until the next `arm`.
    func disarm() {
        state.withLock { $0.armedToken = 0 }
        pendingReason.store(0, ordering: .releasing)
    }

    /// Interrupts the operation with `token`, if it is still the armed one. Callable from any thread.
    func interrupt(_ token: UInt64, reason: InterruptReason) {
        let signal = state.withLock { state -> Bool in
            guard token != 0, state.armedToken == token, !state.signalled else { return false }
            state.signalled = true
            return true
        }
        guard signal else { return }
        pendingReason.store(reason.rawValue, ordering: .releasing)
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(writeDescriptor, $0.baseAddress, 8) }
    }

    /// The pending interrupt, if any, without clearing it.
    var pending: InterruptReason? {
        InterruptReason(rawValue: pendingReason.load(ordering: .acquiring))
    }

    private func drain() {
        var buffer: UInt64 = 0
        while read(readDescriptor, &buffer, 8) > 0 {}
    }
}
