import Logging
import Synchronization

extension ConnectionPool {
    // MARK: - Performing the machine's actions

    /// Performs what the state machine decided, outside the lock: hand connections to waiters,
    /// fail waiters, open and close connections.
    func perform(_ actions: PoolStateMachine.Actions) {
        var resumptions: [(CheckedContinuation<Lease, any Error>, Result<Lease, any Error>)] = []
        var closing: [(Connection?, PoolStateMachine.Closing)] = []
        var counts = PoolStateMachine.Counts()
        state.withLock { state in
            let now = ContinuousClock.now
            for handoff in actions.handoffs {
                guard let connection = state.connections[handoff.lease.connection] else { continue }
                state.leases[handoff.lease.connection] = LeaseRecord(since: now)
                let result: Result<Lease, any Error> = .success(Lease(id: handoff.lease.connection, connection: connection, check: handoff.lease.check))
                deliver(result, to: handoff.waiter, in: &state, resumptions: &resumptions)
            }
            for failed in actions.failedWaiters {
                let error = waiterError(failed.failure, state: state)
                deliver(.failure(error), to: failed.waiter, in: &state, resumptions: &resumptions)
            }
            for close in actions.close {
                closing.append((state.connections.removeValue(forKey: close.connection), close))
            }
            counts = state.machine.counts
        }
        for (continuation, result) in resumptions { continuation.resume(with: result) }
        for failed in actions.failedWaiters where failed.failure == .timeout { metrics.acquireTimedOut() }
        for (connection, close) in closing { closeConnection(connection, close) }
        startOpening(actions.open)
        if let retryAt = actions.retryAt { scheduleWake(at: retryAt) }
        metrics.record(counts)
    }

    private func deliver(
        _ result: Result<Lease, any Error>, to waiter: PoolStateMachine.WaiterID, in state: inout State,
        resumptions: inout [(CheckedContinuation<Lease, any Error>, Result<Lease, any Error>)]
    ) {
        if case .waiting(let continuation)? = state.waiters.removeValue(forKey: waiter) {
            resumptions.append((continuation, result))
        } else {
            // The waiter has not stored its continuation yet; it picks the result up.
            state.waiters[waiter] = .ready(result)
        }
    }

    private func waiterError(_ failure: PoolStateMachine.WaiterFailure, state: State) -> PoolError {
        let counts = state.machine.counts
        return PoolError(failure == .timeout ? .timeout : .closed,
                         connectionsInUse: counts.leased, connectionsOpen: counts.idle + counts.leased,
                         waiters: counts.waiters + 1, waited: configuration.acquireTimeout,
                         lastConnectError: state.machine.lastConnectError)
    }

    func startOpening(_ ids: [PoolStateMachine.ConnectionID]) {
        for id in ids {
            Task { await self.open(id) }
        }
    }

    private func open(_ id: PoolStateMachine.ConnectionID) async {
        do {
            let connection = try await Connection.connect(to: configuration.connection, logger: logger)
            metrics.connectionCreated()
            let now = ContinuousClock.now
            let actions = state.withLock { state in
                state.connections[id] = connection
                return state.machine.connectionOpened(id, now: now, jitter: Double.random(in: 0...1))
            }
            perform(actions)
        } catch {
            let connectionError = error as? ConnectionError
                ?? ConnectionError(.connectFailed, message: "\(error)")
            logger.warning("could not open a pooled connection", metadata: ["tusk_error": "\(connectionError)"])
            let now = ContinuousClock.now
            let actions = state.withLock { $0.machine.connectFailed(id, error: connectionError, now: now, jitter: Double.random(in: 0...1)) }
            perform(actions)
        }
    }

    private func closeConnection(_ connection: Connection?, _ close: PoolStateMachine.Closing) {
        metrics.connectionClosed(close.reason)
        logger.debug("closing pooled connection", metadata: ["tusk_reason": "\(close.reason.rawValue)"])
        Task {
            await connection?.close()
            let now = ContinuousClock.now
            let actions = state.withLock { $0.machine.connectionClosed(close.connection, now: now) }
            perform(actions)
        }
    }

    // MARK: - Time

    /// Makes the maintenance loop tick no later than `instant`.
    func scheduleWake(at instant: ContinuousClock.Instant) {
        state.withLock { state in
            if state.nextWake.map({ instant < $0 }) ?? true { state.nextWake = instant }
        }
    }

    func nextTickInterval() -> Duration {
        let now = ContinuousClock.now
        return state.withLock { state in
            // Waiters time out within a few milliseconds of their deadline.
            var interval: Duration = state.machine.waiterCount > 0 ? .milliseconds(10) : .milliseconds(250)
            if let wake = state.nextWake { interval = min(interval, max(.milliseconds(1), wake - now)) }
            state.nextWake = nil
            return interval
        }
    }

    func tick() {
        let now = ContinuousClock.now
        var leaks: [(Int, Duration)] = []
        let actions = state.withLock { state in
            if let threshold = configuration.leakThreshold {
                for (id, record) in state.leases where !record.leakReported && now - record.since > threshold {
                    state.leases[id]?.leakReported = true
                    leaks.append((state.connections[id]?.id ?? id, now - record.since))
                }
            }
            return state.machine.tick(now: now)
        }
        for (connectionID, held) in leaks {
            logger.warning("a pooled connection has been leased longer than the leak threshold; is it ever returned?",
                           metadata: ["tusk_connection_id": "\(connectionID)", "tusk_held": "\(held)"])
        }
        perform(actions)
    }

    // MARK: - Closing

    /// Closes the pool gracefully: no new leases (waiters fail with ``PoolError/Code/closed``),
    /// idle connections close at once, leased ones when they are returned; after `gracePeriod`
    /// the rest are closed under their users. Calling it again waits for the same shutdown.
    public func close(gracePeriod: Duration = .seconds(30)) async {
        perform(state.withLock { $0.machine.close() })
        let deadline = ContinuousClock.now + gracePeriod
        while !state.withLock({ $0.machine.isDrained }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let remaining = state.withLock { state -> [Connection] in
            let remaining = Array(state.connections.values)
            state.connections.removeAll()
            state.maintenance?.cancel()
            return remaining
        }
        for connection in remaining { await connection.close() }
    }
}
