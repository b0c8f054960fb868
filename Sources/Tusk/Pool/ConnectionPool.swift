import Logging
import Synchronization
import Tracing

/// A pool of connections that an application holds for its whole life.
///
/// ```swift
/// let pool = ConnectionPool(configuration: PoolConfiguration(connection: try .fromEnvironment()))
/// let count = try await pool.withConnection { connection in
///     try await connection.query("SELECT count(*) FROM users")[0].decode(Int.self, at: 0)
/// }
/// await pool.close()
/// ```
///
/// Leases are served first come, first served. An idle connection is checked before it is handed
/// out (without a round trip; with a ping after a long idle time); a connection that comes back
/// broken, inside a transaction or mid-COPY is closed and replaced, never reused. Failed connects
/// are retried with exponential backoff and jitter, so the pool recovers by itself after a server
/// restart. Its decisions live in `PoolStateMachine`; this class performs them.
///
/// The pool is not an actor: its state sits behind a lock, so an uncontended lease costs no task
/// switch. Background work — connects, closes, and one timer armed for the next deadline the
/// state machine reports (no polling) — runs in tasks the pool owns; call
/// ``close(gracePeriod:)`` to stop them, or run the pool as a service in a swift-service-lifecycle
/// `ServiceGroup` (``run()``), which closes it on graceful shutdown.
public final class ConnectionPool: Sendable {
    /// The configuration the pool was created with.
    public let configuration: PoolConfiguration
    let logger: Logger
    let state: Mutex<State>
    let metrics: PoolMetrics
    let clock: PoolClock

    typealias Machine = PoolStateMachine<Connection>
    typealias Lease = Machine.Lease

    struct State {
        var machine: Machine
        var waiters: [Machine.WaiterID: WaiterRecord] = [:]
        var leases: [Machine.ConnectionID: LeaseRecord] = [:]
        /// Connects in flight, cancelled when the pool closes.
        var connects: [Machine.ConnectionID: Task<Void, Never>] = [:]
        /// The one timer, armed for the earliest deadline known.
        var timer: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)?
        /// `close()` calls waiting for the last connection to go.
        var drainWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextDrainWaiter = 0
    }

    struct WaiterRecord {
        let since: ContinuousClock.Instant
        var continuation: CheckedContinuation<Lease, any Error>?
        /// A result delivered before the waiter stored its continuation.
        var ready: Result<Lease, any Error>?
    }

    struct LeaseRecord {
        let since: ContinuousClock.Instant
        var leakReported = false
    }

    /// Creates a pool and starts opening its minimum connections in the background.
    public convenience init(configuration: PoolConfiguration, logger: Logger = Logger(label: "tusk.pool")) {
        self.init(configuration: configuration, logger: logger, clock: .continuous)
    }

    /// Creates a pool whose own timing follows `clock` (see ``PoolClock``).
    public init(configuration: PoolConfiguration, logger: Logger = Logger(label: "tusk.pool"), clock: PoolClock) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        metrics = PoolMetrics(poolName: configuration.name, maxConnections: configuration.maxConnections,
                              minConnections: configuration.minConnections, factory: configuration.metricsFactory)
        state = Mutex(State(machine: Machine(settings: .init(configuration))))
        // Opens the minimum and arms the timer.
        tick()
    }

    deinit {
        state.withLock { state in
            state.timer?.task.cancel()
            for task in state.connects.values { task.cancel() }
        }
    }

    // MARK: - Leasing

    /// Leases a connection for `body` and returns it afterwards, on every path: return, throw
    /// and task cancellation.
    ///
    /// By default `body` runs on the connection's own thread (see
    /// ``Connection/withPinnedExecution(_:)``), so each statement it awaits costs one context
    /// switch. Pass `pinned: false` to keep `body` on the caller's executor, for a body that
    /// mostly awaits other work while it holds the connection.
    ///
    /// A connection that `body` leaves inside a transaction, mid-COPY or broken is closed and
    /// replaced, never handed out again. With ``PoolConfiguration/resetSessionOnRelease`` a
    /// clean connection is reset (`DISCARD ALL`) before the next lessee gets it.
    ///
    /// - Throws: ``PoolError`` with code `timeout` (no connection within the acquire timeout; the
    ///   error says how many were in use, opening and waiting, how long it waited, and the last
    ///   connect error) or `closed`; `CancellationError`; and whatever `body` throws.
    @discardableResult
    public func withConnection<T>(pinned: Bool = true, _ body: (Connection) async throws -> T) async throws -> T {
        let start = clock.now()
        let deadline = start + configuration.acquireTimeout
        let reset = configuration.resetSessionOnRelease
        while true {
            let lease = try await TracedSpan.run("acquire connection", kind: .internal, attributes: { [name = configuration.name] attributes in
                attributes[PoolMetrics.poolNameKey] = name
            }) {
                try await acquire(start: start, deadline: deadline)
            }
            func run() async -> Result<T, any Error>? {
                if lease.check != .none, await !passes(lease) { return nil }
                let outcome: Result<T, any Error>
                do {
                    outcome = .success(try await body(lease.connection))
                } catch {
                    outcome = .failure(error)
                }
                if reset, lease.connection.isReusable { await lease.connection.resetSessionState() }
                return outcome
            }
            let outcome = pinned ? await lease.connection.withPinnedExecution { await run() } : await run()
            guard let outcome else {
                discard(lease)
                continue
            }
            release(lease)
            return try outcome.get()
        }
    }

    /// Acquires a lease: at once when a connection is idle, otherwise in line behind earlier
    /// waiters until one is released or opened, or the deadline passes.
    func acquire(start: ContinuousClock.Instant, deadline: ContinuousClock.Instant) async throws -> Lease {
        try Task.checkCancellation()
        let now = clock.now()
        let leakThreshold = configuration.leakThreshold
        let (action, counts) = state.withLock { state -> (Machine.AcquireAction, PoolCounts) in
            let action = state.machine.acquire(now: now, deadline: deadline)
            var wake: ContinuousClock.Instant?
            switch action {
            case .lease(let lease):
                state.leases[lease.id] = LeaseRecord(since: now)
                wake = leakThreshold.map { now + $0 }
            case .wait(let waiter, _):
                state.waiters[waiter] = WaiterRecord(since: start)
                wake = deadline
            case .closed:
                break
            }
            if let wake { armTimer(at: wake, in: &state) }
            return (action, state.machine.counts)
        }
        metrics.record(counts)
        switch action {
        case .lease(let lease):
            metrics.acquired(after: .zero)
            return lease
        case .closed:
            throw closedError(since: start)
        case .wait(let waiter, let open):
            startOpening(open)
            let lease = try await waitForLease(waiter)
            metrics.acquired(after: clock.now() - start)
            return lease
        }
    }

    private func waitForLease(_ waiter: Machine.WaiterID) async throws -> Lease {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let ready = state.withLock { state -> Result<Lease, any Error>? in
                    if let ready = state.waiters[waiter]?.ready {
                        state.waiters[waiter] = nil
                        return ready
                    }
                    guard state.waiters[waiter] != nil else {
                        // Cancelled before it could wait.
                        return .failure(CancellationError())
                    }
                    state.waiters[waiter]?.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
                guard state.machine.cancelWaiter(waiter) else { return nil }
                return state.waiters.removeValue(forKey: waiter)?.continuation
            }
            continuation?.resume(throwing: CancellationError())
            metrics.waiting(state.withLock { $0.machine.waiterCount })
        }
    }

    /// Checks a connection that has been idle: without a round trip, or with a ping after a long
    /// idle time.
    private func passes(_ lease: Lease) async -> Bool {
        switch lease.check {
        case .none:
            return true
        case .alive:
            // Nothing pending on the socket: alive, no thread switch. Something pending: let the
            // connection's thread read it (a FATAL notice, end of file) and decide.
            if let certain = lease.connection.isCertainlyAliveWhileIdle() { return certain }
            return await lease.connection.isAlive()
        case .ping:
            if lease.connection.isCertainlyAliveWhileIdle() == nil, await !lease.connection.isAlive() { return false }
            do {
                try await lease.connection.ping(timeout: .seconds(5))
                return true
            } catch {
                return false
            }
        }
    }

    /// Returns a leased connection; it goes back to the pool only when it is clean.
    func release(_ lease: Lease) {
        let reusable = lease.connection.isReusable
        if !reusable {
            logger.debug("closing a returned connection that is not clean",
                         metadata: ["tusk_connection_id": "\(lease.connection.id)", "tusk_health": "\(lease.connection.currentHealth)"])
        }
        endLease(lease) { machine, now in machine.release(lease.id, reusable: reusable, now: now) }
    }

    /// Closes a leased connection that failed its check.
    func discard(_ lease: Lease) {
        endLease(lease) { machine, now in machine.discard(lease.id, now: now) }
    }

    /// Ends a lease under one hold of the lock: forgets it, lets the machine `decide` what becomes
    /// of its connection, and applies that; then records how long it was held and finishes the
    /// actions outside the lock.
    private func endLease(_ lease: Lease, _ decide: (inout Machine, ContinuousClock.Instant) -> Machine.Actions) {
        let now = clock.now()
        let (applied, since) = state.withLock { state in
            let record = state.leases.removeValue(forKey: lease.id)
            return (apply(decide(&state.machine, now), now: now, in: &state), record?.since)
        }
        if let since { metrics.released(after: now - since) }
        finish(applied)
    }

    // MARK: - Status

    /// A snapshot of the pool's connections and waiters.
    public struct Statistics: Sendable, Equatable {
        /// Connections open and idle.
        public var idle: Int
        /// Connections leased.
        public var inUse: Int
        /// Connections being opened.
        public var opening: Int
        /// Connections being closed.
        public var closing: Int
        /// Tasks waiting for a connection.
        public var waiters: Int
        /// Consecutive failed connects (0 once one succeeds).
        public var consecutiveConnectFailures: Int
    }

    /// The pool's current counts.
    public var statistics: Statistics {
        state.withLock { state in
            let counts = state.machine.counts
            return Statistics(idle: counts.idle, inUse: counts.leased, opening: counts.opening, closing: counts.closing,
                              waiters: counts.waiters, consecutiveConnectFailures: state.machine.consecutiveConnectFailures)
        }
    }

    func closedError(since start: ContinuousClock.Instant) -> PoolError {
        let counts = state.withLock { $0.machine.counts }
        return PoolError(.closed, connectionsInUse: counts.leased, connectionsOpen: counts.idle + counts.leased,
                         connectionsOpening: counts.opening, waiters: counts.waiters, waited: clock.now() - start,
                         lastConnectError: nil)
    }
}
