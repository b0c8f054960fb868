/// The pool's decisions — who gets which connection, when to open, check, retire and close — as a
/// pure state machine: no I/O, no clock (time is passed in), no concrete connection type. The
/// ``ConnectionPool`` shell feeds it events under a lock and performs the actions it returns.
///
/// A connection slot moves through:
///
/// ```
/// opening ──opened──▶ idle ◀──release(reusable)── leased
///    │                  │  └────────acquire────────▶ │
///    └─failed─▶ (gone)  └─retire/close─▶ closing ◀───┘ release(broken) / retire
///                                           └─closed─▶ (gone)
/// ```
///
/// Closing connections still count toward ``Settings/maxConnections`` until they are gone, so
/// the server never sees more backends than the maximum.
struct PoolStateMachine {
    typealias ConnectionID = Int
    typealias WaiterID = Int
    typealias Instant = ContinuousClock.Instant

    struct Settings {
        var minConnections: Int
        var maxConnections: Int
        var idleTimeout: Duration?
        var maxLifetime: Duration?
        var maxLifetimeJitter: Double
        var checkAfterIdle: Duration
        var pingAfterIdle: Duration?
        var initialBackoff: Duration
        var maximumBackoff: Duration

        init(_ configuration: PoolConfiguration) {
            minConnections = max(0, configuration.minConnections)
            maxConnections = max(1, configuration.maxConnections, configuration.minConnections)
            idleTimeout = configuration.idleTimeout
            maxLifetime = configuration.maxLifetime
            maxLifetimeJitter = min(max(configuration.maxLifetimeJitter, 0), 1)
            checkAfterIdle = configuration.healthCheck.checkAfterIdle
            pingAfterIdle = configuration.healthCheck.pingAfterIdle
            initialBackoff = configuration.connectRetry.initialBackoff
            maximumBackoff = configuration.connectRetry.maximumBackoff
        }
    }

    /// What to verify before a leased connection is used.
    enum Check: Equatable, Sendable {
        /// Nothing: it was in use a moment ago.
        case none
        /// Read what the server sent while the connection was idle (no round trip).
        case alive
        /// A round trip.
        case ping
    }

    struct Lease: Equatable, Sendable {
        let connection: ConnectionID
        let check: Check
    }

    enum AcquireAction: Equatable {
        /// An idle connection is leased at once.
        case lease(Lease)
        /// The caller waits as `waiter`; the shell opens the listed connections.
        case wait(WaiterID, open: [ConnectionID])
        /// The pool is closed.
        case closed
    }

    enum CloseReason: String, Sendable, CaseIterable {
        /// It broke, or a check found it dead.
        case broken
        /// It came back inside a transaction, mid-COPY, or otherwise not clean.
        case unclean
        /// Idle past the idle timeout, above the minimum.
        case idleTimeout
        /// Past its (jittered) maximum lifetime.
        case maxLifetime
        /// The pool is closing.
        case poolClosed
    }

    enum WaiterFailure: Equatable, Sendable {
        case timeout
        case closed
    }

    struct Handoff: Equatable {
        let waiter: WaiterID
        let lease: Lease
    }

    struct Closing: Equatable {
        let connection: ConnectionID
        let reason: CloseReason
    }

    struct FailedWaiter: Equatable {
        let waiter: WaiterID
        let failure: WaiterFailure
    }

    /// What the shell must do after an event.
    struct Actions: Equatable {
        var handoffs: [Handoff] = []
        var open: [ConnectionID] = []
        var close: [Closing] = []
        var failedWaiters: [FailedWaiter] = []
        /// Connect again no earlier than this (backoff after a failed connect).
        var retryAt: Instant?
    }

    private enum SlotState: Equatable {
        case opening
        case idle(since: Instant)
        case leased
        case closing
    }

    private struct Slot {
        var state: SlotState
        var retireAt: Instant?
    }

    private struct Waiter {
        let id: WaiterID
        let deadline: Instant
    }

    let settings: Settings
    private var slots: [ConnectionID: Slot] = [:]
    /// Idle connections, most recently released last (handed out first, so the others can age
    /// out through the idle timeout).
    private var idle: [ConnectionID] = []
    private var waiters: [Waiter] = []
    private var waiterHead = 0
    private var nextConnectionID = 1
    private var nextWaiterID = 1
    private(set) var consecutiveConnectFailures = 0
    private(set) var lastConnectError: ConnectionError?
    private var backoffUntil: Instant?
    private(set) var isClosing = false

    init(settings: Settings) {
        self.settings = settings
    }

    // MARK: - Counts

    struct Counts: Equatable, Sendable {
        var idle = 0
        var leased = 0
        var opening = 0
        var closing = 0
        var waiters = 0
        /// Every connection the server may see: idle, leased, opening and closing.
        var total: Int { idle + leased + opening + closing }
    }

    var counts: Counts {
        var counts = Counts()
        for slot in slots.values {
            switch slot.state {
            case .opening: counts.opening += 1
            case .idle: counts.idle += 1
            case .leased: counts.leased += 1
            case .closing: counts.closing += 1
            }
        }
        counts.waiters = waiterCount
        return counts
    }

    var waiterCount: Int { waiters.count - waiterHead }

    /// Whether the pool is closing and every connection is gone.
    var isDrained: Bool { isClosing && slots.isEmpty }

    // MARK: - Events

    /// A task wants a connection.
    mutating func acquire(now: Instant, deadline: Instant) -> AcquireAction {
        guard !isClosing else { return .closed }
        if let id = idle.popLast(), case .idle(let since)? = slots[id]?.state {
            slots[id]?.state = .leased
            return .lease(Lease(connection: id, check: check(idleFor: now - since)))
        }
        let id = nextWaiterID
        nextWaiterID += 1
        waiters.append(Waiter(id: id, deadline: deadline))
        return .wait(id, open: planOpens(now: now))
    }

    /// A leased connection comes back; `reusable` is false when it broke or is not clean.
    mutating func release(_ id: ConnectionID, reusable: Bool, now: Instant) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .leased else { return actions }
        if isClosing {
            retire(id, .poolClosed, into: &actions)
        } else if !reusable {
            retire(id, .unclean, into: &actions)
        } else if let retireAt = slots[id]?.retireAt, retireAt <= now {
            retire(id, .maxLifetime, into: &actions)
        } else {
            handOutOrPark(id, now: now, check: .none, into: &actions)
        }
        actions.open += planOpens(now: now)
        return actions
    }

    /// A leased connection failed its check (or broke): close it, and let the caller try again.
    mutating func discard(_ id: ConnectionID, now: Instant) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .leased else { return actions }
        retire(id, .broken, into: &actions)
        actions.open += planOpens(now: now)
        return actions
    }

    /// A connection the shell was told to open is open. `jitter` in 0...1 shortens its lifetime
    /// by up to ``Settings/maxLifetimeJitter``.
    mutating func connectionOpened(_ id: ConnectionID, now: Instant, jitter: Double) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .opening else { return actions }
        consecutiveConnectFailures = 0
        lastConnectError = nil
        backoffUntil = nil
        if let lifetime = settings.maxLifetime {
            let shortening = lifetime.scaled(by: settings.maxLifetimeJitter * min(max(jitter, 0), 1))
            slots[id]?.retireAt = now + (lifetime - shortening)
        }
        if isClosing {
            retire(id, .poolClosed, into: &actions)
        } else {
            handOutOrPark(id, now: now, check: .none, into: &actions)
        }
        actions.open += planOpens(now: now)
        return actions
    }

    /// Opening a connection failed. `jitter` in 0...1 spreads the backoff between half and all
    /// of the exponential delay.
    mutating func connectFailed(_ id: ConnectionID, error: ConnectionError, now: Instant, jitter: Double) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .opening else { return actions }
        slots[id] = nil
        consecutiveConnectFailures += 1
        lastConnectError = error
        let exponent = min(consecutiveConnectFailures - 1, 30)
        let exponential = settings.initialBackoff * (1 << exponent)
        let delay = min(exponential, settings.maximumBackoff).scaled(by: 0.5 + 0.5 * min(max(jitter, 0), 1))
        backoffUntil = now + delay
        actions.retryAt = backoffUntil
        return actions
    }

    /// The shell finished closing a connection.
    mutating func connectionClosed(_ id: ConnectionID, now: Instant) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .closing else { return actions }
        slots[id] = nil
        actions.open = planOpens(now: now)
        return actions
    }

    /// A waiting task was cancelled; returns whether it was still waiting.
    mutating func cancelWaiter(_ id: WaiterID) -> Bool {
        guard let index = waiters[waiterHead...].firstIndex(where: { $0.id == id }) else { return false }
        waiters.remove(at: index)
        compactWaiters()
        return true
    }

    /// Time passes: waiters time out, idle connections past the idle timeout (above the minimum)
    /// and connections past their lifetime retire, and the pool tops up to its minimum.
    mutating func tick(now: Instant) -> Actions {
        var actions = Actions()
        var remaining: [Waiter] = []
        for waiter in waiters[waiterHead...] {
            if waiter.deadline <= now {
                actions.failedWaiters.append(FailedWaiter(waiter: waiter.id, failure: .timeout))
            } else {
                remaining.append(waiter)
            }
        }
        if !actions.failedWaiters.isEmpty {
            waiters = remaining
            waiterHead = 0
        }
        guard !isClosing else { return actions }
        // Oldest idle first; never below the minimum, never a leased connection.
        var open = slots.values.filter { $0.state != .closing }.count
        for id in idle {
            guard case .idle(let since)? = slots[id]?.state else { continue }
            if let retireAt = slots[id]?.retireAt, retireAt <= now {
                retire(id, .maxLifetime, into: &actions)
                open -= 1
            } else if let idleTimeout = settings.idleTimeout, now - since >= idleTimeout, open > settings.minConnections {
                retire(id, .idleTimeout, into: &actions)
                open -= 1
            }
        }
        actions.open = planOpens(now: now)
        return actions
    }

    /// The pool closes: waiters fail, idle connections close, leased ones close when released.
    mutating func close() -> Actions {
        var actions = Actions()
        guard !isClosing else { return actions }
        isClosing = true
        for waiter in waiters[waiterHead...] {
            actions.failedWaiters.append(FailedWaiter(waiter: waiter.id, failure: .closed))
        }
        waiters.removeAll()
        waiterHead = 0
        for id in idle { retire(id, .poolClosed, into: &actions) }
        return actions
    }

    // MARK: - Internal

    private func check(idleFor idleTime: Duration) -> Check {
        if let ping = settings.pingAfterIdle, idleTime >= ping { return .ping }
        return idleTime >= settings.checkAfterIdle ? .alive : .none
    }

    private mutating func handOutOrPark(_ id: ConnectionID, now: Instant, check: Check, into actions: inout Actions) {
        if waiterHead < waiters.count {
            let waiter = waiters[waiterHead]
            waiterHead += 1
            compactWaiters()
            slots[id]?.state = .leased
            actions.handoffs.append(Handoff(waiter: waiter.id, lease: Lease(connection: id, check: check)))
        } else {
            slots[id]?.state = .idle(since: now)
            idle.append(id)
        }
    }

    private mutating func retire(_ id: ConnectionID, _ reason: CloseReason, into actions: inout Actions) {
        if let index = idle.firstIndex(of: id) { idle.remove(at: index) }
        slots[id]?.state = .closing
        actions.close.append(Closing(connection: id, reason: reason))
    }

    private mutating func compactWaiters() {
        if waiterHead > 64, waiterHead * 2 > waiters.count {
            waiters.removeFirst(waiterHead)
            waiterHead = 0
        } else if waiterHead == waiters.count {
            waiters.removeAll(keepingCapacity: true)
            waiterHead = 0
        }
    }

    /// Connections to open now: enough for the waiters not covered by connects in flight, and
    /// enough to reach the minimum, within the maximum. While connects fail, one probe at a time
    /// and none during the backoff.
    private mutating func planOpens(now: Instant) -> [ConnectionID] {
        guard !isClosing else { return [] }
        if let backoffUntil, now < backoffUntil { return [] }
        let counts = self.counts
        let uncovered = max(0, counts.waiters - counts.opening)
        let belowMinimum = max(0, settings.minConnections - counts.total)
        var toOpen = min(settings.maxConnections - counts.total, max(uncovered, belowMinimum))
        if consecutiveConnectFailures > 0 { toOpen = counts.opening == 0 ? min(toOpen, 1) : 0 }
        guard toOpen > 0 else { return [] }
        var opened: [ConnectionID] = []
        for _ in 0..<toOpen {
            let id = nextConnectionID
            nextConnectionID += 1
            slots[id] = Slot(state: .opening, retireAt: nil)
            opened.append(id)
        }
        return opened
    }
}

extension Duration {
    /// This duration times `factor`, to the nanosecond.
    func scaled(by factor: Double) -> Duration {
        let (seconds, attoseconds) = components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        return .nanoseconds(Int64((nanoseconds * factor).rounded()))
    }
}
