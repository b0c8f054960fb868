import Testing
@testable import Tusk

/// The pool's decisions, with a fake clock and no connections at all.
@Suite struct PoolStateMachineTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant {
        start + .milliseconds(Int64(seconds * 1000))
    }

    func machine(min: Int = 0, max: Int = 2, idleTimeout: Duration? = .seconds(60), maxLifetime: Duration? = nil,
                 pingAfterIdle: Duration? = .seconds(30)) -> PoolStateMachine<String> {
        var configuration = PoolConfiguration(connection: ConnectionConfiguration())
        configuration.minConnections = min
        configuration.maxConnections = max
        configuration.idleTimeout = idleTimeout
        configuration.maxLifetime = maxLifetime
        configuration.maxLifetimeJitter = 0.1
        configuration.healthCheck = .init(checkAfterIdle: .seconds(1), pingAfterIdle: pingAfterIdle)
        configuration.connectRetry = .init(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        return PoolStateMachine<String>(settings: .init(configuration))
    }

    /// Opens `count` connections for waiters and parks them idle at `time`.
    func warm(_ machine: inout PoolStateMachine<String>, count: Int, at time: Double) -> [Int] {
        var ids: [Int] = []
        var waiters: [Int] = []
        for _ in 0..<count {
            guard case .wait(let waiter, let open) = machine.acquire(now: at(time), deadline: at(time + 10)) else {
                Issue.record("expected to wait")
                return ids
            }
            waiters.append(waiter)
            ids += open
        }
        var leased: [Int] = []
        for id in ids {
            leased += machine.connectionOpened(id, connection: "c\(id)", now: at(time), jitter: 0).handoffs.map(\.lease.id)
        }
        for id in leased {
            _ = machine.release(id, reusable: true, now: at(time))
        }
        return ids
    }

    @Test func opensOnDemandUpToTheMaximum() {
        var machine = machine(max: 2)
        guard case .wait(_, let first) = machine.acquire(now: at(0), deadline: at(5)) else { Issue.record("should wait"); return }
        #expect(first.count == 1)
        guard case .wait(_, let second) = machine.acquire(now: at(0), deadline: at(5)) else { Issue.record("should wait"); return }
        #expect(second.count == 1)
        guard case .wait(_, let third) = machine.acquire(now: at(0), deadline: at(5)) else { Issue.record("should wait"); return }
        #expect(third.isEmpty, "never past the maximum")
        #expect(machine.counts.opening == 2)
        #expect(machine.counts.waiters == 3)
    }

    @Test func waitersAreServedFirstComeFirstServed() {
        var machine = machine(max: 1)
        let ids = warm(&machine, count: 1, at: 0)
        guard case .lease(let lease) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should lease"); return }
        #expect(lease.id == ids[0])
        var order: [Int] = []
        for _ in 0..<3 {
            guard case .wait(let waiter, _) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should wait"); return }
            order.append(waiter)
        }
        var served: [Int] = []
        var connection = lease.id
        for _ in 0..<3 {
            let actions = machine.release(connection, reusable: true, now: at(2))
            guard let handoff = actions.handoffs.first else { Issue.record("should hand off"); return }
            served.append(handoff.waiter)
            connection = handoff.lease.id
            #expect(handoff.lease.check == .none, "a connection just returned needs no check")
        }
        #expect(served == order)
    }

    @Test func keepsTheMinimumOpen() {
        var machine = machine(min: 3, max: 5)
        let actions = machine.tick(now: at(0))
        #expect(actions.open.count == 3)
        #expect(machine.tick(now: at(0.1)).open.isEmpty, "connects in flight count toward the minimum")
    }

    @Test func idleConnectionsRetireAfterTheIdleTimeoutButNeverBelowTheMinimum() {
        var machine = machine(min: 1, max: 3, idleTimeout: .seconds(60))
        let ids = warm(&machine, count: 3, at: 0)
        #expect(machine.counts.idle == 3)
        #expect(machine.tick(now: at(59)).close.isEmpty)
        let actions = machine.tick(now: at(61))
        #expect(actions.close.map(\.reason) == [.idleTimeout, .idleTimeout])
        #expect(Set(actions.close.map(\.id)).isSubset(of: Set(ids)))
        for close in actions.close { _ = machine.connectionClosed(close.id, now: at(61)) }
        #expect(machine.counts.idle == 1)
        #expect(machine.tick(now: at(500)).close.isEmpty, "the minimum stays")
    }

    @Test func leasedConnectionsNeverRetireWhileLeased() {
        var machine = machine(min: 0, max: 1, idleTimeout: .seconds(1), maxLifetime: .seconds(10))
        _ = warm(&machine, count: 1, at: 0)
        guard case .lease(let lease) = machine.acquire(now: at(0.5), deadline: at(5)) else { Issue.record("should lease"); return }
        #expect(machine.tick(now: at(100)).close.isEmpty, "leased: neither idle timeout nor lifetime applies")
        let release = machine.release(lease.id, reusable: true, now: at(100))
        #expect(release.close.map(\.id) == [lease.id], "retired on return, past its lifetime")
        #expect(release.close.map(\.reason) == [.maxLifetime])
    }

    @Test func lifetimeRetirementIsJitteredAndReplacedToTheMinimum() {
        var machine = machine(min: 1, max: 1, idleTimeout: nil, maxLifetime: .seconds(100))
        guard case .wait(let waiter, let open) = machine.acquire(now: at(0), deadline: at(5)) else { Issue.record("should wait"); return }
        let opened = machine.connectionOpened(open[0], connection: "c\(open[0])", now: at(0), jitter: 1)  // 10% shorter: retires at 90 s
        #expect(opened.handoffs.first?.waiter == waiter)
        _ = machine.release(open[0], reusable: true, now: at(1))
        #expect(machine.tick(now: at(89)).close.isEmpty)
        let actions = machine.tick(now: at(91))
        #expect(actions.close.map(\.reason) == [.maxLifetime])
        let replaced = machine.connectionClosed(open[0], now: at(91))
        #expect(replaced.open.count == 1, "topped up to the minimum")
    }

    @Test func idleConnectionsAreCheckedBeforeUse() {
        var machine = machine(max: 1, pingAfterIdle: .seconds(30))
        _ = warm(&machine, count: 1, at: 0)
        guard case .lease(let quick) = machine.acquire(now: at(0.5), deadline: at(5)) else { Issue.record("should lease"); return }
        #expect(quick.check == .none)
        _ = machine.release(quick.id, reusable: true, now: at(0.5))
        guard case .lease(let idle) = machine.acquire(now: at(5), deadline: at(10)) else { Issue.record("should lease"); return }
        #expect(idle.check == .alive)
        _ = machine.release(idle.id, reusable: true, now: at(5))
        guard case .lease(let long) = machine.acquire(now: at(40), deadline: at(45)) else { Issue.record("should lease"); return }
        #expect(long.check == .ping)
    }

    @Test func uncleanOrBrokenConnectionsAreNeverReused() {
        var machine = machine(max: 1)
        _ = warm(&machine, count: 1, at: 0)
        guard case .lease(let lease) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should lease"); return }
        guard case .wait(let waiter, _) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should wait"); return }
        let actions = machine.release(lease.id, reusable: false, now: at(2))
        #expect(actions.close.map(\.id) == [lease.id])
        #expect(actions.close.map(\.reason) == [.unclean])
        #expect(actions.handoffs.isEmpty)
        #expect(actions.open.isEmpty, "the closing connection still counts toward the maximum")
        let replaced = machine.connectionClosed(lease.id, now: at(2))
        #expect(replaced.open.count == 1, "a replacement for the waiter")
        let handed = machine.connectionOpened(replaced.open[0], connection: "c\(replaced.open[0])", now: at(2), jitter: 0)
        #expect(handed.handoffs.first?.waiter == waiter)
    }

    @Test func waitersTimeOut() {
        var machine = machine(max: 1)
        _ = warm(&machine, count: 1, at: 0)
        _ = machine.acquire(now: at(1), deadline: at(5))
        guard case .wait(let waiter, _) = machine.acquire(now: at(1), deadline: at(3)) else { Issue.record("should wait"); return }
        #expect(machine.tick(now: at(2.9)).failedWaiters.isEmpty)
        #expect(machine.tick(now: at(3)).failedWaiters == [.init(waiter: waiter, failure: .timeout)])
        #expect(machine.counts.waiters == 0)
    }

    @Test func cancelledWaitersLeaveTheQueueAtOnce() {
        var machine = machine(max: 1)
        let ids = warm(&machine, count: 1, at: 0)
        _ = machine.acquire(now: at(1), deadline: at(5))
        guard case .wait(let first, _) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should wait"); return }
        guard case .wait(let second, _) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should wait"); return }
        let cancelled = machine.cancelWaiter(first)
        let again = machine.cancelWaiter(first)
        #expect(cancelled)
        #expect(!again, "only once")
        let actions = machine.release(ids[0], reusable: true, now: at(2))
        #expect(actions.handoffs.first?.waiter == second)
    }

    @Test func failedConnectsBackOffExponentiallyWithJitterAndRecover() {
        var machine = machine(min: 1, max: 2)
        let error = ConnectionError(.connectionRefused, message: "refused")
        var id = machine.tick(now: at(0)).open[0]
        var delays: [Duration] = []
        var now = at(0)
        for _ in 0..<6 {
            let failed = machine.connectFailed(id, error: error, now: now, jitter: 1)
            guard let retryAt = failed.wakeAt else { Issue.record("should schedule a retry"); return }
            delays.append(retryAt - now)
            #expect(machine.tick(now: retryAt - .milliseconds(1)).open.isEmpty, "nothing during the backoff")
            now = retryAt
            let retry = machine.tick(now: now)
            #expect(retry.open.count == 1, "one probe at a time while failing")
            id = retry.open[0]
        }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(machine.lastConnectError == error)
        let low = machine.connectFailed(id, error: error, now: now, jitter: 0)
        #expect(low.wakeAt.map { $0 - now } == .milliseconds(500), "jitter spreads between half and all of the delay")
        id = machine.tick(now: now + .seconds(1)).open[0]
        _ = machine.connectionOpened(id, connection: "c\(id)", now: now + .seconds(1), jitter: 0)
        #expect(machine.consecutiveConnectFailures == 0)
        #expect(machine.lastConnectError == nil)
    }

    @Test func closingFailsWaitersAndClosesEverything() {
        var machine = machine(max: 2)
        let ids = warm(&machine, count: 2, at: 0)
        guard case .lease(let lease) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should lease"); return }
        guard case .lease(let other) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should lease"); return }
        guard case .wait = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should wait"); return }
        let actions = machine.close()
        #expect(actions.failedWaiters.map(\.failure) == [.closed])
        guard case .closed = machine.acquire(now: at(2), deadline: at(3)) else { Issue.record("should refuse"); return }
        let second = machine.close()
        #expect(second.isEmpty, "closing twice does nothing more")
        let released = machine.release(lease.id, reusable: true, now: at(2))
        #expect(released.close.map(\.reason) == [.poolClosed])
        #expect(!machine.isDrained, "a leased connection is still out")
        _ = machine.release(other.id, reusable: true, now: at(2))
        for id in ids { _ = machine.connectionClosed(id, now: at(3)) }
        #expect(machine.isDrained)
    }

    @Test func leasesAndHandOffsCarryTheConnectionItself() {
        var machine = machine(max: 1)
        guard case .wait(let waiter, let open) = machine.acquire(now: at(0), deadline: at(5)) else { Issue.record("should wait"); return }
        let opened = machine.connectionOpened(open[0], connection: "the one", now: at(0), jitter: 0)
        #expect(opened.handoffs.first?.waiter == waiter)
        #expect(opened.handoffs.first?.lease.connection == "the one")
        _ = machine.release(open[0], reusable: true, now: at(1))
        guard case .lease(let lease) = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should lease"); return }
        #expect(lease.connection == "the one")
        let closing = machine.discard(lease.id, now: at(2)).close
        #expect(closing.first?.connection == "the one", "a closing slot hands its connection to be closed")
    }

    @Test func theNextDeadlineIsTheEarliestWaiterExpiryOrRetirement() {
        var machine = machine(min: 0, max: 1, idleTimeout: .seconds(60), maxLifetime: nil)
        #expect(machine.nextDeadline() == nil, "nothing is due in an empty pool: no timer, no polling")
        let ids = warm(&machine, count: 1, at: 0)
        #expect(machine.nextDeadline() == at(60), "the idle connection expires")
        guard case .lease = machine.acquire(now: at(1), deadline: at(5)) else { Issue.record("should lease"); return }
        #expect(machine.nextDeadline() == nil, "a leased connection never expires")
        guard case .wait = machine.acquire(now: at(1), deadline: at(3)) else { Issue.record("should wait"); return }
        #expect(machine.nextDeadline() == at(3))
        let released = machine.release(ids[0], reusable: true, now: at(2))
        #expect(released.handoffs.count == 1)
        #expect(machine.nextDeadline() == nil)
    }

    @Test func parkingAConnectionAsksForAWakeAtItsExpiry() {
        var machine = machine(min: 0, max: 1, idleTimeout: .seconds(60), maxLifetime: .seconds(30))
        guard case .wait(_, let open) = machine.acquire(now: at(0), deadline: at(5)) else { Issue.record("should wait"); return }
        _ = machine.connectionOpened(open[0], connection: "c", now: at(0), jitter: 0)
        let parked = machine.release(open[0], reusable: true, now: at(1))
        #expect(parked.wakeAt == at(30), "its lifetime ends before its idle timeout")
    }

    @Test func aFailedConnectAsksForAWakeAtTheEndOfItsBackoff() {
        var machine = machine(min: 1, max: 1)
        let id = machine.tick(now: at(0)).open[0]
        let failed = machine.connectFailed(id, error: ConnectionError(.connectionRefused, message: "refused"), now: at(0), jitter: 1)
        #expect(failed.wakeAt == at(0.1))
        #expect(machine.nextDeadline() == at(0.1), "a connect is needed for the minimum")
    }

    @Test func connectsThatEndAfterTheCloseLeaveNothingBehind() {
        var machine = machine(min: 2, max: 2)
        let opening = machine.tick(now: at(0)).open
        #expect(opening.count == 2)
        _ = machine.close()
        #expect(!machine.isDrained, "two connects in flight")
        let cancelled = machine.connectFailed(opening[0], error: ConnectionError(.connectFailed, message: "cancelled"), now: at(1), jitter: 0)
        #expect(cancelled.wakeAt == nil, "no backoff while closing")
        #expect(machine.consecutiveConnectFailures == 0)
        let late = machine.connectionOpened(opening[1], connection: "late", now: at(1), jitter: 0)
        #expect(late.close.map(\.reason) == [.poolClosed])
        _ = machine.connectionClosed(opening[1], now: at(1))
        #expect(machine.isDrained)
    }
}
