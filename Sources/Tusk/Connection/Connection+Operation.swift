import Logging

extension Connection {
    // MARK: - Operations and steps

    /// Runs `body` as the connection's only operation, on its thread, with the task's
    /// cancellation and the timeout wired to a server-side cancel.
    ///
    /// `cancellable: false` is for clean-up statements (ROLLBACK after a cancelled task) that
    /// must run even though the task is cancelled.
    func withOperation<T>(
        timeout: Duration?,
        cancellable: Bool = true,
        _ body: (PGConnectionHandle, inout OperationControl) throws -> T
    ) async throws -> T {
        if cancellable { try Task.checkCancellation() }
        let token = try await beginOperation(.statement, timeout: timeout, cancellable: cancellable)
        defer { endOperation(token) }
        return try await runStep(token, cancellable: cancellable, body)
    }

    /// Makes an operation the connection's owner until ``endOperation(_:)``.
    ///
    /// Statements issued concurrently on one connection wait their turn, first come first served;
    /// they are never interleaved. The turn is handed from the ending operation straight to the
    /// first waiter, so a caller that arrives while the waiter wakes up queues behind it instead of
    /// overtaking it. A COPY owns the connection across several steps: anything issued meanwhile
    /// is refused, because it may come from the COPY's own producer and would wait forever.
    func beginOperation(_ kind: ActiveOperation.Kind, timeout: Duration?, cancellable: Bool) async throws -> UInt64 {
        if let active = activeOperation, active.kind != .statement {
            throw configuration.target.error(.invalidUsage, "the connection is busy with a COPY; a connection runs one operation at a time")
        }
        if turns.mustWait(connectionBusy: activeOperation != nil) {
            try await waitForTurn(cancellable: cancellable)
        }
        guard handle != nil else { throw closedError }
        operationCounter &+= 1
        activeOperation = ActiveOperation(
            kind: kind, token: operationCounter,
            control: OperationControl(timeout: timeout ?? configuration.queryTimeout, interruptible: cancellable)
        )
        setHealth(.busy)
        return operationCounter
    }

    /// Releases the connection. A cancel request that the server did not answer with 57014 is
    /// harmless once libpq confirmed the postmaster processed it (the backend ignores a cancel
    /// that arrives while it waits for a command); one that libpq could not confirm may still be
    /// in flight and could hit the next statement, so the connection is closed instead.
    func endOperation(_ token: UInt64) {
        guard let active = activeOperation, active.token == token else { return }
        activeOperation = nil
        if active.control.cancelMayBeInFlight, handle != nil {
            logger.debug("closing: a cancel request may still be in flight")
            markBroken()
            return
        }
        refreshHealth()
        passTurn()
    }

    /// Hands the connection to the first waiting caller, if any.
    private func passTurn() {
        guard activeOperation == nil else { return }
        turns.handOff()?.resume()
    }

    /// Suspends until the turn is handed to this caller (or the task is cancelled while it still
    /// waits, or the connection closes).
    private func waitForTurn(cancellable: Bool) async throws {
        let id = turns.makeID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if cancellable, Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    turns.enqueue(id, continuation)
                }
            }
        } onCancel: {
            guard cancellable else { return }
            Task { await self.abandonTurn(id) }
        }
        // The turn is ours (or the connection closed, and the caller finds it so).
        turns.claim(id)
    }

    /// A cancelled caller leaves the queue; one that was already handed the turn keeps it, and
    /// its operation notices the cancellation and ends, passing the turn on.
    private func abandonTurn(_ id: UInt64) {
        turns.abandon(id)?.resume(throwing: CancellationError())
    }

    /// Runs one step of the owning operation on the connection thread; the task's cancellation
    /// sends a cancel request while the step waits on the server.
    func runStep<T>(
        _ token: UInt64,
        cancellable: Bool,
        _ body: (PGConnectionHandle, inout OperationControl) throws -> T
    ) async throws -> T {
        guard let handle else { throw closedError }
        guard activeOperation?.token == token else {
            throw configuration.target.error(.invalidUsage, "the operation already ended")
        }
        // A step that would not wait (a COPY chunk the socket takes at once) must still notice a
        // cancelled task.
        if cancellable { try Task.checkCancellation() }
        let interruptToken = interrupt.arm()
        defer { interrupt.disarm() }
        guard cancellable else {
            return try perform(handle, token, body)
        }
        return try await withTaskCancellationHandler {
            try perform(handle, token, body)
        } onCancel: { [interrupt] in
            interrupt.interrupt(interruptToken, reason: .cancelled)
        }
    }

    private func perform<T>(_ handle: PGConnectionHandle, _ token: UInt64,
                            _ body: (PGConnectionHandle, inout OperationControl) throws -> T) throws -> T {
        guard var control = activeOperation?.control else { throw closedError }
        defer {
            if activeOperation?.token == token { activeOperation?.control = control }
        }
        do {
            return try body(handle, &control)
        } catch let error as ConnectionError where error.code == .connectionLost {
            markBroken()
            throw error
        } catch let error as PartialPipelineLoss {
            markBroken()
            throw error
        }
    }

    // MARK: - Results

    /// Reads every result of the running command and returns the last non-error one; throws the
    /// first error after the command finished, so the connection is ready for the next one.
    func collectResults(_ handle: PGConnectionHandle, _ control: inout OperationControl, query: String?) throws -> PGResult? {
        var last: PGResult?
        var firstError: (any Error)?
        while let result = try handle.nextResult(&control) {
            switch result.status {
            case .error:
                if firstError == nil { firstError = classify(result, handle, &control, query: query) }
            case .copyIn, .copyOut, .copyBoth:
                markBroken()
                throw configuration.target.error(.invalidUsage, "COPY must run through copyIn or copyOut; the connection was closed")
            case .pipelineSync, .pipelineAborted:
                throw configuration.target.error(.protocolViolation, "unexpected pipeline result outside a pipeline")
            case .commandOK, .tuples:
                last = result
            }
        }
        if let firstError { throw firstError }
        return last
    }

    /// Turns an error result into the error Tusk throws: connection loss, cancellation, timeout,
    /// or the server's `PostgresError`.
    func classify(_ result: PGResult, _ handle: PGConnectionHandle, _ control: inout OperationControl, query: String?) -> any Error {
        guard let serverError = result.serverError(query: query) else {
            // libpq's own errors carry no SQLSTATE; a dropped connection is one of them.
            if handle.isBad {
                return handle.lostError(result.errorMessage.isEmpty ? "the server closed the connection" : result.errorMessage)
            }
            return configuration.target.error(.protocolViolation, result.errorMessage)
        }
        if serverError.sqlState == .queryCanceled, let cause = control.cancelCause {
            control.cancelAcknowledged = true
            switch cause {
            case .taskCancelled:
                return CancellationError()
            case .timeout:
                return configuration.target.error(.timeout, "the statement exceeded its timeout and was cancelled: \(query ?? "")")
            }
        }
        if Self.meansConnectionLost(serverError) || handle.isBad {
            return handle.lostError(serverError.message, serverError: serverError)
        }
        return serverError
    }

    /// FATAL and PANIC end the session; class 08 and 57P01–57P03 mean the server is going away —
    /// except class 08 at ERROR severity, after which the session goes on: a receive function
    /// that ran out of bytes (08P01 "insufficient data left in message", a COPY field shorter
    /// than its column's type), or dblink failing to reach another server.
    static func meansConnectionLost(_ error: PostgresError) -> Bool {
        if error.severity == "FATAL" || error.severity == "PANIC" { return true }
        if error.sqlState.class == .connectionException { return error.severity != "ERROR" }
        return error.sqlState == .adminShutdown || error.sqlState == .crashShutdown || error.sqlState == .cannotConnectNow
    }
}
