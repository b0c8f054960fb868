/// What happened to one statement of a pipeline.
public enum PipelineOutcome: Sendable {
    /// The statement ran; its result.
    case success(QueryResult)
    /// The statement failed with this server error; the statements after it were aborted.
    case failure(PostgresError)
    /// The statement was not run because an earlier statement of the pipeline failed.
    case aborted

    /// The server's error of a failed statement, nil otherwise.
    public var serverError: PostgresError? {
        if case .failure(let error) = self { return error }
        return nil
    }

    /// The result, or the error: ``PipelineError`` for failed and aborted statements.
    public func get(index: Int) throws -> QueryResult {
        switch self {
        case .success(let result): return result
        case .failure(let error): throw PipelineError(index: index, reason: .failed(error))
        case .aborted: throw PipelineError(index: index, reason: .aborted)
        }
    }
}

/// A pipeline statement failed, was aborted because an earlier one failed, or could not be
/// encoded (then nothing was sent).
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    /// What happened to the statement.
    public enum Reason: Sendable {
        /// The server rejected it.
        case failed(PostgresError)
        /// An earlier statement failed, so it did not run.
        case aborted
        /// A bound value could not be encoded; the pipeline was not sent.
        case unencodable(PostgresEncodingError)
    }

    /// The 0-based position of the statement in the pipeline.
    public var index: Int
    /// What happened.
    public var reason: Reason

    /// Creates an error.
    public init(index: Int, reason: Reason) {
        self.index = index
        self.reason = reason
    }

    /// The server error of a failed statement.
    public var serverError: PostgresError? {
        if case .failed(let error) = reason { return error }
        return nil
    }

    /// `statement 3 of the pipeline failed: …`.
    public var description: String {
        switch reason {
        case .failed(let error): "statement \(index) of the pipeline failed: \(error)"
        case .aborted: "statement \(index) of the pipeline was aborted because an earlier statement failed"
        case .unencodable(let error): "statement \(index) of the pipeline cannot be sent: \(error)"
        }
    }
}

extension Connection {
    /// Sends every statement, then one Sync, and reads every result in order: one round trip for
    /// the whole batch (libpq pipeline mode).
    ///
    /// ```swift
    /// let outcomes = try await connection.pipeline([
    ///     "INSERT INTO events (kind) VALUES (\("a"))",
    ///     "UPDATE counters SET n = n + 1 WHERE name = \("a")",
    /// ])
    /// ```
    ///
    /// The statements run in one implicit transaction (unless a transaction is already open):
    /// when statement *k* fails, it reports ``PipelineOutcome/failure(_:)``, every later one
    /// ``PipelineOutcome/aborted``, and the effects of the earlier ones are rolled back with it.
    ///
    /// - Throws: ``PipelineError`` (with the index) when a statement cannot be encoded — nothing
    ///   is sent then; ``ConnectionError`` with `invalidUsage` for COPY, which pipeline mode does
    ///   not allow; `connectionLost`, `timeout` and `CancellationError` as ``query(_:timeout:)``.
    public func pipeline(_ statements: [SQL], timeout: Duration? = nil) async throws -> [PipelineOutcome] {
        try await pipeline(statements, timeout: timeout, cancellable: true)
    }

    /// ``pipeline(_:timeout:)``; `cancellable: false` ignores task cancellation (COMMIT).
    /// `flushAfter` lists statements after which the server is asked to send what it has (a
    /// Flush message): their results leave the server before the next statement runs.
    /// `keepingResultsOnLoss` throws ``PartialPipelineLoss`` with the results that arrived
    /// before a lost connection, instead of the bare `connectionLost`.
    func pipeline(_ statements: [SQL], timeout: Duration?, cancellable: Bool, flushAfter: Set<Int> = [],
                  keepingResultsOnLoss: Bool = false) async throws -> [PipelineOutcome] {
        var texts: [String] = []
        texts.reserveCapacity(statements.count)
        for (index, sql) in statements.enumerated() {
            do {
                try sql.validate()
            } catch let error as PostgresEncodingError {
                throw PipelineError(index: index, reason: .unencodable(error))
            }
            let text = sql.text
            if Self.isCopyStatement(text) {
                throw configuration.target.error(.invalidUsage, "COPY is not allowed in pipeline mode (statement \(index))")
            }
            try checkPoolerAllows(text)
            texts.append(text)
        }
        if statements.isEmpty { return [] }
        return try await observed(.batch(texts)) {
            try await withOperation(timeout: timeout, cancellable: cancellable) { handle, control in
                try runPipeline(texts, statements, handle, &control, flushAfter: flushAfter, keepingResultsOnLoss: keepingResultsOnLoss)
            }
        }
    }

    private enum PipelineStep {
        /// The Parse of a new statement, sent in front of statement `index`.
        case prepare(PreparedStatementCache.Key, name: String, index: Int)
        /// A statement, and the prepared statement it executes (nil when unnamed).
        case statement(index: Int, name: String?)
    }

    private func runPipeline(_ texts: [String], _ statements: [SQL], _ handle: PGConnectionHandle,
                             _ control: inout OperationControl, flushAfter: Set<Int>,
                             keepingResultsOnLoss: Bool) throws -> [PipelineOutcome] {
        try deallocateEvictedStatements(handle, &control)
        guard handle.enterPipelineMode() else { throw handle.lostError("could not enter pipeline mode") }
        var steps: [PipelineStep] = []
        steps.reserveCapacity(statements.count)
        var preparing: [PreparedStatementCache.Key: String] = [:]
        for (index, sql) in statements.enumerated() {
            let text = texts[index]
            logStatement(text, bindings: sql.bindings)
            let sent: Bool
            var preparedName: String?
            if self.statements.isEnabled {
                let key = PreparedStatementCache.Key(text: text, types: sql.bindings.types)
                var name = self.statements.name(for: key) ?? preparing[key]
                if name == nil {
                    let fresh = self.statements.makeName()
                    guard handle.sendPrepare(name: fresh, text: text, types: sql.bindings.types) else {
                        throw handle.lostError("could not send a statement")
                    }
                    counters.preparedStatements += 1
                    steps.append(.prepare(key, name: fresh, index: index))
                    preparing[key] = fresh
                    name = fresh
                }
                preparedName = name
                sent = handle.sendQueryPrepared(name: name ?? "", bindings: sql.bindings)
            } else {
                sent = handle.sendQuery(text, bindings: sql.bindings)
            }
            guard sent else { throw handle.lostError("could not send a statement") }
            steps.append(.statement(index: index, name: preparedName))
            if flushAfter.contains(index), !handle.sendFlushRequest() { throw handle.lostError("could not send a flush request") }
        }
        guard handle.pipelineSync() else { throw handle.lostError("could not send the pipeline") }
        counters.roundTrips += 1
        counters.statements += statements.count
        try handle.flush(&control)

        var outcomes = [PipelineOutcome](repeating: .aborted, count: statements.count)
        var lost: (any Error)?
        // A Parse that fails (a typo, an unknown table or column) aborts the pipeline before its
        // statement runs: the statement then reports "aborted", and the server's error belongs
        // to it.
        var failedPrepare: (name: String, error: PostgresError)?
        // The statement whose result was the server ending the session (FATAL): nothing after
        // it ran.
        var endedAt: Int?
        do {
            for step in steps {
                var stepResult: PGResult?
                while let result = try handle.nextResult(&control) {
                    stepResult = stepResult ?? result
                }
                guard let result = stepResult else { continue }
                switch (step, result.status) {
                case (.prepare(let key, let name, _), .commandOK):
                    if let evicted = self.statements.record(key, name: name) { pendingDeallocations.append(evicted) }
                case (.prepare(let key, let name, let index), .error):
                    let error = classify(result, handle, &control, query: key.text)
                    if let serverError = error as? PostgresError {
                        if failedPrepare == nil { failedPrepare = (name, serverError) }
                    } else {
                        if lost == nil { endedAt = index }
                        lost = lost ?? error
                    }
                case (.prepare, _):
                    break
                case (.statement(let index, _), .commandOK), (.statement(let index, _), .tuples):
                    let key = PreparedStatementCache.Key(text: texts[index], types: statements[index].bindings.types)
                    outcomes[index] = .success(QueryResult(storage: result, plans: self.statements.lookup(key)?.plans))
                case (.statement(let index, let name), .pipelineAborted):
                    if let failed = failedPrepare, failed.name == name {
                        outcomes[index] = .failure(failed.error)
                        failedPrepare = nil
                    }
                case (.statement(let index, _), .error):
                    let error = classify(result, handle, &control, query: texts[index])
                    if let serverError = error as? PostgresError {
                        outcomes[index] = .failure(serverError)
                        if Self.invalidatesPreparedStatement(serverError) {
                            forgetInvalidated(PreparedStatementCache.Key(text: texts[index], types: statements[index].bindings.types),
                                              serverError)
                        }
                    } else {
                        if lost == nil { endedAt = index }
                        lost = lost ?? error
                    }
                case (.statement, _):
                    markBroken()
                    throw configuration.target.error(.protocolViolation, "unexpected result \(result.status) in a pipeline")
                }
            }
            if let lost, (lost as? ConnectionError)?.code == .connectionLost { throw lost }
            guard let sync = try handle.nextResult(&control), sync.status == .pipelineSync else {
                throw handle.lostError("the pipeline ended without its sync")
            }
            guard handle.exitPipelineMode() else { throw handle.lostError("could not leave pipeline mode") }
            if let lost { throw lost }
        } catch let error as ConnectionError where keepingResultsOnLoss && error.code == .connectionLost {
            throw PartialPipelineLoss(outcomes: outcomes, cause: error, endedAtStatement: endedAt)
        }
        return outcomes
    }
}

/// The connection was lost part-way through a pipeline: the results that arrived before the loss,
/// and the loss. Internal: a commit uses it to keep the transaction id that came back before
/// `COMMIT` ran.
struct PartialPipelineLoss: Error {
    /// Each statement's outcome; ``PipelineOutcome/aborted`` for those without a result.
    let outcomes: [PipelineOutcome]
    let cause: ConnectionError
    /// The statement whose result was the server ending the session (a FATAL error): the
    /// server ran nothing after it. Nil when the connection just broke.
    let endedAtStatement: Int?
}
