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
/// Each step of an operation arms the interrupt with a fresh token; an interrupt for any other
/// token (a cancellation handler that fires after its step ended) is ignored, so it can never hit
/// the next operation. The token check, the reason and the eventfd write happen under one lock:
/// an interrupt either lands on the step it names, whole, or not at all. Arming and disarming cost
/// no system call unless an interrupt was actually signalled.
final class ConnectionInterrupt: Sendable {
    private struct State {
        var armedToken: UInt64 = 0
        var nextToken: UInt64 = 1
        /// Why the armed step was interrupted; nil while it was not.
        var reason: InterruptReason?
        /// The eventfd holds a wake-up that nobody drained yet.
        var signalled = false
    }

    private let state = Mutex(State())
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

    /// Arms the interrupt for a new step and returns its token. A wake-up left by an earlier step
    /// is drained first, so the new step starts with a quiet descriptor.
    func arm() -> UInt64 {
        state.withLock { state in
            if state.signalled {
                drain()
                state.signalled = false
            }
            state.armedToken = state.nextToken
            state.nextToken += 1
            state.reason = nil
            return state.armedToken
        }
    }

    /// Disarms the interrupt; later interrupts are ignored until the next `arm`. A wake-up already
    /// written stays in the descriptor until the next `arm` drains it; nobody polls it meanwhile.
    func disarm() {
        state.withLock { state in
            state.armedToken = 0
            state.reason = nil
        }
    }

    /// Interrupts the step with `token`, if it is still the armed one. Callable from any thread.
    func interrupt(_ token: UInt64, reason: InterruptReason) {
        state.withLock { state in
            guard token != 0, state.armedToken == token, state.reason == nil else { return }
            state.reason = reason
            guard !state.signalled else { return }
            state.signalled = true
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { write(writeDescriptor, $0.baseAddress, 8) }
        }
    }

    /// Why the armed step was interrupted, or nil. A wake-up that carries no reason for the armed
    /// step (which cannot happen by construction) is drained, so a poll on the descriptor could
    /// not return at once forever.
    func consumeStrayWakeUp() -> InterruptReason? {
        state.withLock { state in
            if let reason = state.reason { return reason }
            if state.signalled {
                drain()
                state.signalled = false
            }
            return nil
        }
    }

    private func drain() {
        var buffer: UInt64 = 0
        while read(readDescriptor, &buffer, 8) > 0 {}
    }
}
