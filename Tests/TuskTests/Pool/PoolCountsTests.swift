import Testing
@testable import Tusk

/// The state machine keeps its counts as it goes instead of walking its slots on every read:
/// after any sequence of events they must equal a recount.
@Suite struct PoolCountsTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func keptCountsEqualARecountAfterEveryEvent(seed: UInt64) {
        var random = SplitMix(seed: seed)
        var configuration = PoolConfiguration(connection: ConnectionConfiguration())
        configuration.minConnections = 1
        configuration.maxConnections = 4
        configuration.idleTimeout = .seconds(5)
        configuration.maxLifetime = .seconds(20)
        var machine = PoolStateMachine<String>(settings: .init(configuration))
        let start = ContinuousClock.now
        var now = start
        var opening: [Int] = []
        var leased: [Int] = []
        var closing: [Int] = []
        var waiters: [Int] = []
        func absorb(_ actions: PoolStateMachine<String>.Actions) {
            opening += actions.open
            leased += actions.handoffs.map(\.lease.id)
            closing += actions.close.map(\.id)
            let served = Set(actions.handoffs.map(\.waiter)).union(actions.failedWaiters.map(\.waiter))
            waiters.removeAll { served.contains($0) }
        }
        func take(_ ids: inout [Int]) -> Int? {
            guard !ids.isEmpty else { return nil }
            return ids.remove(at: Int(random.next() % UInt64(ids.count)))
        }
        for step in 0..<2_000 {
            now = now + .milliseconds(Int64(random.next() % 700))
            switch random.next() % 9 {
            case 0, 1:
                switch machine.acquire(now: now, deadline: now + .seconds(3)) {
                case .lease(let lease): leased.append(lease.id)
                case .wait(let waiter, let open):
                    waiters.append(waiter)
                    opening += open
                case .closed: break
                }
            case 2, 3:
                if let id = take(&leased) { absorb(machine.release(id, reusable: random.next() % 5 != 0, now: now)) }
            case 4:
                if let id = take(&opening) {
                    absorb(machine.connectionOpened(id, connection: "c\(id)", now: now, jitter: 0.5))
                }
            case 5:
                if let id = take(&opening) {
                    absorb(machine.connectFailed(id, error: ConnectionError(.connectFailed, message: "refused"), now: now, jitter: 0.5))
                }
            case 6:
                if let id = take(&closing) { absorb(machine.connectionClosed(id, now: now)) }
            case 7:
                if let id = take(&leased) { absorb(machine.discard(id, now: now)) }
            default:
                if let waiter = take(&waiters) { _ = machine.cancelWaiter(waiter) }
                absorb(machine.tick(now: now))
            }
            if step == 1_500 { absorb(machine.close()) }
            #expect(machine.counts == machine.recountedForTesting, "step \(step)")
            if machine.counts != machine.recountedForTesting { return }
        }
    }
}

/// A small deterministic generator, so a failing seed fails the same way every time.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
