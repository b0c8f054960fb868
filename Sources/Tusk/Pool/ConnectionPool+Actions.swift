import Logging
import Synchronization

extension ConnectionPool {
    // MARK: - Performing the machine's actions

    /// What performing actions decided under the lock, for the part that runs outside it.
    struct AppliedActions {
        let actions: Machine.Actions
        var resumptions: [(CheckedContinuation<Lease, any Error>, Result<Lease, any Error>)] = []
        var drained: [CheckedContinuation<Void, Never>] = []
        var counts = PoolCounts()
    }

    /// Performs what the state machine decided: hand connections to waiters, fail waiters, open
    /// and close connections, arm the timer.
    func perform(_ actions: Machine.Actions) {
        let now = clock.now()
        finish(state.withLock { apply(actions, now: now, in: &$0) })
    }

    /// The part of ``perform(_:)`` that needs the lock, for a caller that already holds it (a
    /// return takes the lock once for the machine's decision and this).
    func apply(_ actions: Machine.Actions, now: ContinuousClock.Instant, in state: inout State) -> AppliedActions {
        var applied = AppliedActions(actions: actions)
        let leakThreshold = configuration.leakThreshold
        for handoff in actions.handoffs {
            state.leases[handoff.lease.id] = LeaseRecord(since: now)
            if let leakThreshold { armTimer(at: now + leakThreshold, in: &state) }
            deliver(.success(handoff.lease), to: handoff.waiter, in: &state, resumptions: &applied.resumptions)
        }
        for failed in actions.failedWaiters {
            let error = waiterError(failed, state: state, now: now)
            deliver(.failure(error), to: failed.waiter, in: &state, resumptions: &applied.resumptions)
        }
        if let wakeAt = actions.wakeAt { armTimer(at: wakeAt, in: &state) }
        if state.machine.isDrained, !state.drainWaiters.isEmpty {
            applied.drained = Array(state.drainWaiters.values)
            state.drainWaiters.removeAll()
        }
        applied.counts = state.machine.counts
        return applied
    }

    /// The part of ``perform(_:)`` that runs outside the lock: resumptions, closes, opens, metrics.
    func finish(_ applied: AppliedActions) {
        for (continuation, result) in applied.resumptions { continuation.resume(with: result) }
        for continuation in applied.drained { continuation.resume() }
        for failed in applied.actions.failedWaiters where failed.failure == .timeout { metrics.acquireTimedOut() }
        for close in applied.actions.close { closeConnection(close) }
        startOpening(applied.actions.open)
        metrics.record(applied.counts)
    }

    private func deliver(
        _ result: Result<Lease, any Error>, to waiter: Machine.WaiterID, in state: inout State,
        resumptions: inout [(CheckedContinuation<Lease, any Error>, Result<Lease, any Error>)]
    ) {
        guard var record = state.waiters[waiter] else { return }
        if let continuation = record.continuation {
            state.waiters[waiter] = nil
            resumptions.append((continuation, result))
        } else {
            // The waiter has not stored its continuation yet; it picks the result up.
            record.ready = result
            state.waiters[waiter] = record
        }
    }

    private func waiterError(_ failed: Machine.FailedWaiter, state: State, now: ContinuousClock.Instant) -> PoolError {
        let counts = state.machine.counts
        let since = state.waiters[failed.waiter]?.since ?? now
        return PoolError(failed.failure == .timeout ? .timeout : .closed,
                         connectionsInUse: counts.leased, connectionsOpen: counts.idle + counts.leased,
                         connectionsOpening: counts.opening, waiters: counts.waiters + 1, waited: now - since,
                         lastConnectError: state.machine.lastConnectError)
    }

    func startOpening(_ ids: [Machine.ConnectionID]) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for id in ids {
                state.connects[id] = Task { await self.open(id) }
            }
        }
    }

    private func open(_ id: Machine.ConnectionID) async {
        do {
            let started = clock.now()
            var connectionConfiguration = configuration.connection
            if connectionConfiguration.metricsFactory == nil { connectionConfiguration.metricsFactory = configuration.metricsFactory }
            let connection = try await Connection.connect(to: connectionConfiguration, logger: logger)
            metrics.connectionCreated(after: clock.now() - started)
            let now = clock.now()
            let actions = state.withLock { state in
                state.connects[id] = nil
                return state.machine.connectionOpened(id, connection: connection, now: now, jitter: Double.random(in: 0...1))
            }
            perform(actions)
        } catch {
            let connectionError = error as? ConnectionError
                ?? ConnectionError(.connectFailed, message: error is CancellationError ? "the connect was cancelled" : "\(error)")
            if !(error is CancellationError) {
                logger.warning("could not open a pooled connection", metadata: ["tusk_error": "\(connectionError)"])
            }
            let now = clock.now()
            let actions = state.withLock { state in
                state.connects[id] = nil
                return state.machine.connectFailed(id, error: connectionError, now: now, jitter: Double.random(in: 0...1))
            }
            perform(actions)
        }
    }

    private func closeConnection(_ close: Machine.Closing) {
        metrics.connectionClosed(close.reason)
        logger.debug("closing pooled connection", metadata: ["tusk_reason": "\(close.reason.rawValue)"])
        Task {
            await close.connection?.close()
            let now = clock.now()
            let actions = state.withLock { $0.machine.connectionClosed(close.id, now: now) }
            perform(actions)
        }
    }

    // MARK: - Time

    /// Makes the timer fire no later than `instant`: a timer already due earlier stays, a later
    /// one is replaced. Called under the lock.
    func armTimer(at instant: ContinuousClock.Instant, in state: inout State) {
        if let timer = state.timer, timer.deadline <= instant { return }
        state.timer?.task.cancel()
        let clock = self.clock
        let task = Task { [weak self] in
            do {
                try await clock.sleep(instant)
            } catch {
                return  // replaced by an earlier timer, or the pool closed
            }
            self?.timerFired(at: instant)
        }
        state.timer = (instant, task)
    }

    private func timerFired(at instant: ContinuousClock.Instant) {
        state.withLock { state in
            if state.timer?.deadline == instant { state.timer = nil }
        }
        tick()
    }

    /// Waiters time out, idle and old connections retire, the pool tops up to its minimum, leases
    /// past the leak threshold are reported; then the timer is armed for the next deadline.
    func tick() {
        let now = clock.now()
        var leaks: [(Int, Duration)] = []
        let actions = state.withLock { state in
            var actions = state.machine.tick(now: now)
            if let threshold = configuration.leakThreshold {
                for (id, record) in state.leases where !record.leakReported {
                    if now - record.since >= threshold {
                        state.leases[id]?.leakReported = true
                        leaks.append((id, now - record.since))
                    } else {
                        actions.wake(at: record.since + threshold)
                    }
                }
            }
            return actions
        }
        for (slot, held) in leaks {
            logger.warning("a pooled connection has been leased longer than the leak threshold; is it ever returned?",
                           metadata: ["tusk_pool_slot": "\(slot)", "tusk_held": "\(held)"])
        }
        perform(actions)
    }

    // MARK: - Closing

    /// Closes the pool gracefully: no new leases (waiters fail with ``PoolError/Code/closed``),
    /// connects in flight are cancelled, idle connections close at once, leased ones when they
    /// are returned; after `gracePeriod` the rest are closed under their users. Calling it again
    /// waits for the same shutdown.
    public func close(gracePeriod: Duration = .seconds(30)) async {
        let (actions, connects) = state.withLock { state in
            (state.machine.close(), Array(state.connects.values))
        }
        perform(actions)
        for connect in connects { connect.cancel() }
        let deadline = clock.now() + gracePeriod
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitUntilDrained() }
            group.addTask { try? await clock.sleep(deadline) }
            await group.next()
            group.cancelAll()
        }
        let remaining = state.withLock { state -> [Connection] in
            state.timer?.task.cancel()
            state.timer = nil
            return state.machine.openConnections
        }
        for connection in remaining { await connection.close() }
    }

    /// Returns once every connection is gone (or the task is cancelled).
    private func waitUntilDrained() async {
        let id = state.withLock { state -> Int in
            state.nextDrainWaiter += 1
            return state.nextDrainWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.machine.isDrained || Task.isCancelled { return true }
                    state.drainWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.drainWaiters.removeValue(forKey: id) }?.resume()
        }
    }
}
