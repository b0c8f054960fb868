/// The pool's decisions — who gets which connection, when to open, check, retire and close, and
/// when the next timer must fire — as a pure state machine: no I/O, no clock (time is passed in),
/// generic over the connection it hands out. The ``ConnectionPool`` shell feeds it events under a
/// lock and performs the actions it returns.
///
/// Each slot holds its connection once it is open, so a lease or a hand-off always carries the
/// connection itself: there is no second table of connections that could disagree with it.
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
struct PoolStateMachine<Connection: Sendable>: Sendable {
    typealias ConnectionID = Int
    typealias WaiterID = Int
    typealias Instant = ContinuousClock.Instant

    struct Settings: Sendable {
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

    struct Lease: Sendable {
        let id: ConnectionID
        let connection: Connection
        let check: Check
    }

    enum AcquireAction: Sendable {
        /// An idle connection is leased at once.
        case lease(Lease)
        /// The caller waits as `waiter`; the shell opens the listed connections.
        case wait(WaiterID, open: [ConnectionID])
        /// The pool is closed.
        case closed
    }

    typealias CloseReason = PoolCloseReason
    typealias Counts = PoolCounts

    enum WaiterFailure: Equatable, Sendable {
        case timeout
        case closed
    }

    struct Handoff: Sendable {
        let waiter: WaiterID
        let lease: Lease
    }

    struct Closing: Sendable {
        let id: ConnectionID
        /// Nil for a slot whose connect never finished.
        let connection: Connection?
        let reason: CloseReason
    }

    struct FailedWaiter: Equatable {
        let waiter: WaiterID
        let failure: WaiterFailure
    }

    /// What the shell must do after an event.
    struct Actions: Sendable {
        var handoffs: [Handoff] = []
        var open: [ConnectionID] = []
        var close: [Closing] = []
        var failedWaiters: [FailedWaiter] = []
        /// A time this event made relevant (a waiter's deadline, a backoff's end, an idle
        /// connection's expiry): the shell's timer must fire no later than this.
        var wakeAt: Instant?

        var isEmpty: Bool { handoffs.isEmpty && open.isEmpty && close.isEmpty && failedWaiters.isEmpty && wakeAt == nil }

        mutating func wake(at instant: Instant?) {
            guard let instant else { return }
            wakeAt = wakeAt.map { min($0, instant) } ?? instant
        }
    }

    private enum SlotState: Equatable, Sendable {
        case opening
        case idle(since: Instant)
        case leased
        case closing
    }

    private struct Slot: Sendable {
        var state: SlotState
        var retireAt: Instant?
        /// The open connection; nil while opening.
        var connection: Connection?
    }

    private struct Waiter: Sendable {
        let id: WaiterID
        let deadline: Instant
    }

    let settings: Settings
    private var slots: [ConnectionID: Slot] = [:]
    /// The slots' states counted, kept up to date by every change of state, so that reading the
    /// counts (on every lease, return and metrics update) walks no dictionary.
    private var slotCounts = Counts()
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

    var counts: Counts {
        var counts = slotCounts
        counts.waiters = waiterCount
        return counts
    }

    /// The counts worked out from the slots themselves, for tests that check the kept ones.
    var recountedForTesting: Counts {
        var counts = Counts()
        for slot in slots.values { Self.adjust(&counts, for: slot.state, by: 1) }
        counts.waiters = waiterCount
        return counts
    }

    var waiterCount: Int { waiters.count - waiterHead }

    /// Whether the pool is closing and every connection is gone.
    var isDrained: Bool { isClosing && slots.isEmpty }

    /// Every open connection the pool holds: idle, leased or closing.
    var openConnections: [Connection] { slots.values.compactMap(\.connection) }

    // MARK: - Events

    /// A task wants a connection.
    mutating func acquire(now: Instant, deadline: Instant) -> AcquireAction {
        guard !isClosing else { return .closed }
        while let id = idle.popLast() {
            guard case .idle(let since)? = slots[id]?.state, let connection = slots[id]?.connection else { continue }
            setState(of: id, to: .leased)
            return .lease(Lease(id: id, connection: connection, check: check(idleFor: now - since)))
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
    mutating func connectionOpened(_ id: ConnectionID, connection: Connection, now: Instant, jitter: Double) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .opening else {
            // Not ours any more (the pool closed and forgot the slot): close it.
            actions.close.append(Closing(id: id, connection: connection, reason: .poolClosed))
            return actions
        }
        slots[id]?.connection = connection
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
    /// of the exponential delay. A connect cancelled because the pool closes just ends.
    mutating func connectFailed(_ id: ConnectionID, error: ConnectionError, now: Instant, jitter: Double) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .opening else { return actions }
        removeSlot(id)
        guard !isClosing else { return actions }
        consecutiveConnectFailures += 1
        lastConnectError = error
        let exponent = min(consecutiveConnectFailures - 1, 30)
        let exponential = settings.initialBackoff * (1 << exponent)
        let delay = min(exponential, settings.maximumBackoff).scaled(by: 0.5 + 0.5 * min(max(jitter, 0), 1))
        backoffUntil = now + delay
        actions.wake(at: backoffUntil)
        return actions
    }

    /// The shell finished closing a connection.
    mutating func connectionClosed(_ id: ConnectionID, now: Instant) -> Actions {
        var actions = Actions()
        guard slots[id]?.state == .closing else { return actions }
        removeSlot(id)
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
    /// and connections past their lifetime retire, and the pool tops up to its minimum. The
    /// actions' ``Actions/wakeAt`` is the next time something will be due.
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
        var open = slotCounts.total - slotCounts.closing
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
        actions.wake(at: nextDeadline())
        return actions
    }

    /// The pool closes: waiters fail, idle connections close, leased ones close when released,
    /// and connects in flight are given up (the shell cancels them).
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

    /// The earliest time something is due: a waiter's deadline, an idle connection's expiry or
    /// retirement, the end of a backoff that holds back a needed connect. Nil when nothing is.
    func nextDeadline() -> Instant? {
        var next: Instant?
        func consider(_ instant: Instant?) {
            guard let instant else { return }
            next = next.map { min($0, instant) } ?? instant
        }
        for waiter in waiters[waiterHead...] { consider(waiter.deadline) }
        guard !isClosing else { return next }
        let counts = self.counts
        if let backoffUntil, counts.waiters > counts.opening || counts.total < settings.minConnections {
            consider(backoffUntil)
        }
        let aboveMinimum = counts.total - counts.closing > settings.minConnections
        for id in idle {
            guard let slot = slots[id], case .idle(let since) = slot.state else { continue }
            consider(slot.retireAt)
            if aboveMinimum, let idleTimeout = settings.idleTimeout { consider(since + idleTimeout) }
        }
        return next
    }

    // MARK: - Internal

    private func check(idleFor idleTime: Duration) -> Check {
        if let ping = settings.pingAfterIdle, idleTime >= ping { return .ping }
        return idleTime >= settings.checkAfterIdle ? .alive : .none
    }

    private mutating func handOutOrPark(_ id: ConnectionID, now: Instant, check: Check, into actions: inout Actions) {
        guard let connection = slots[id]?.connection else { return }
        if waiterHead < waiters.count {
            let waiter = waiters[waiterHead]
            waiterHead += 1
            compactWaiters()
            setState(of: id, to: .leased)
            actions.handoffs.append(Handoff(waiter: waiter.id, lease: Lease(id: id, connection: connection, check: check)))
        } else {
            setState(of: id, to: .idle(since: now))
            idle.append(id)
            // This connection's expiry may be the earliest. (Whether it is above the minimum is
            // the tick's call: a wake-up too many costs less than counting slots on every
            // release.)
            actions.wake(at: slots[id]?.retireAt)
            if let idleTimeout = settings.idleTimeout { actions.wake(at: now + idleTimeout) }
        }
    }

    private mutating func retire(_ id: ConnectionID, _ reason: CloseReason, into actions: inout Actions) {
        if let index = idle.firstIndex(of: id) { idle.remove(at: index) }
        setState(of: id, to: .closing)
        actions.close.append(Closing(id: id, connection: slots[id]?.connection, reason: reason))
    }

    /// Moves a slot to `state`, keeping ``slotCounts`` in step.
    private mutating func setState(of id: ConnectionID, to state: SlotState) {
        guard let old = slots[id]?.state else { return }
        Self.adjust(&slotCounts, for: old, by: -1)
        slots[id]?.state = state
        Self.adjust(&slotCounts, for: state, by: 1)
    }

    private static func adjust(_ counts: inout Counts, for state: SlotState, by delta: Int) {
        switch state {
        case .opening: counts.opening += delta
        case .idle: counts.idle += delta
        case .leased: counts.leased += delta
        case .closing: counts.closing += delta
        }
    }

    private mutating func removeSlot(_ id: ConnectionID) {
        guard let removed = slots.removeValue(forKey: id) else { return }
        Self.adjust(&slotCounts, for: removed.state, by: -1)
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
            slots[id] = Slot(state: .opening, retireAt: nil, connection: nil)
            slotCounts.opening += 1
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
