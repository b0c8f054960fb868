@testable import Tusk
import TuskTestSupport

/// A listening connection that plays a script, one step per wait, then waits until the task is
/// cancelled: the reconnect logic without a server.
final class ScriptedListeningConnection: ListeningConnection {
    enum Step: Sendable {
        /// The wait returns these.
        case receive([PostgresNotification])
        /// The wait times out (the listener then sends a keepalive).
        case idle
        /// The wait fails, after `advancing` the clock (time passing before the loss is noticed).
        case fail(any Error, advancing: Duration = .zero)
    }

    private let steps: Locked<[Step]>
    private let keepaliveFailure: Locked<(any Error)?>
    private let clock: ManualClock?
    let closed = Locked(false)
    let keepalives = Locked(0)
    let waitsInProgress = Locked(0)

    init(_ steps: [Step], clock: ManualClock? = nil, keepaliveFailure: (any Error)? = nil) {
        self.steps = Locked(steps)
        self.clock = clock
        self.keepaliveFailure = Locked(keepaliveFailure)
    }

    func waitForNotifications(idleTimeout: Duration?) async throws -> [PostgresNotification] {
        let step = steps.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch step {
        case .receive(let notifications):
            return notifications
        case .idle:
            return []
        case .fail(let error, let advancing):
            clock?.advance(by: advancing)
            throw error
        case nil:
            waitsInProgress.withLock { $0 += 1 }
            defer { waitsInProgress.withLock { $0 -= 1 } }
            try await waitForCancellation()
            throw CancellationError()
        }
    }

    func keepAlive(timeout: Duration) async throws {
        keepalives.withLock { $0 += 1 }
        if let failure = keepaliveFailure.value { throw failure }
    }

    func close() async {
        closed.withLock { $0 = true }
    }
}

/// Suspends until the task is cancelled.
func waitForCancellation() async throws {
    let state = Locked<(cancelled: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))
    await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.cancelled { return true }
                state.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    } onCancel: {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.cancelled = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }
    try Task.checkCancellation()
}
