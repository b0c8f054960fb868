import Logging

extension Session {
    /// Sends `COMMIT` behind `SELECT pg_current_xact_id_if_assigned()`, in one round trip, with a
    /// Flush between them so the transaction's id leaves the server before `COMMIT` runs. When
    /// the connection is lost before `COMMIT`'s answer arrives, the id lets the session ask the
    /// server (``resolveLostCommit(_:transactionID:within:)``) instead of guessing.
    ///
    /// - Throws: as ``commit()``; `commitOutcomeUnknown` only when the outcome cannot be had
    ///   within `timeout`, or when the transaction wrote nothing (so had no id), where it does not
    ///   matter.
    func commitKnowingTheTransaction(resolvingLossWithin timeout: Duration) async throws {
        var statements: [SQL] = ["SELECT pg_current_xact_id_if_assigned()::text", "COMMIT"]
        if options.recordsCommitPosition { statements.append(Self.commitPositionQuery) }
        var outcomes: [PipelineOutcome] = []
        var lost: ConnectionError?
        var endedBeforeCommit = false
        do {
            outcomes = try await connection.pipeline(statements, timeout: nil, cancellable: false, flushAfter: [0],
                                                     keepingResultsOnLoss: true)
        } catch let partial as PartialPipelineLoss {
            outcomes = partial.outcomes
            lost = partial.cause
            endedBeforeCommit = partial.endedAtStatement == 0
        } catch let error as ConnectionError where error.code == .connectionLost {
            lost = error
        } catch {
            transaction.commitRejected()
            throw SessionError(.commitFailed, message: "COMMIT could not be sent; nothing was committed", underlying: error)
        }
        // nil: the id never arrived; .some(nil): the transaction wrote nothing, so has no id.
        var transactionID: String??
        if case .success(let result)? = outcomes.first, let row = result.first {
            transactionID = .some(try? row.decode(String?.self, at: 0))
        }
        if let lost {
            transaction.commitLost()
            // Either the server ended the session in answer to the id query, or it had ended it
            // before the pipeline was sent (its FATAL came while nothing ran): COMMIT never ran.
            if endedBeforeCommit || connection.serverEndedTheSessionBetweenCommands {
                transaction.commitResolved(committed: false)
                throw SessionError(.transactionFailed,
                                   message: "the server ended the session before COMMIT ran: nothing was committed",
                                   underlying: lost, abortedWhenTheConnectionWasLost: true)
            }
            try await resolveLostCommit(lost, transactionID: transactionID, within: timeout)
            return
        }
        switch outcomes.count > 1 ? outcomes[1] : .aborted {
        case .success(let result):
            try transaction.commitFinished(tag: result.commandTag)
            if outcomes.count > 2, case .success(let position) = outcomes[2] {
                commitPosition = try? CommitPosition(text: position.first?.decode(String.self, at: 0))
            }
        case .failure(let error):
            // A COMMIT that fails (serialization failure, deferred constraint) ends the
            // transaction by itself: there is nothing left to roll back.
            transaction.commitRejected()
            throw SessionError(.commitFailed, message: "the server refused to commit; nothing was committed", underlying: error)
        case .aborted:
            // The id query failed, so COMMIT did not run and the transaction is still open.
            transaction.commitAbandoned()
            _ = try? await connection.runTransactionControl("ROLLBACK", timeout: .seconds(30))
            throw SessionError(.transactionFailed, message: "COMMIT did not run; the transaction was rolled back",
                               underlying: outcomes.first?.serverError)
        }
    }

    /// Learns what became of a transaction whose `COMMIT` was in flight when the connection was
    /// lost: over a new connection, `pg_xact_status(id)` says `committed`, `aborted`, or
    /// `in progress` (the old backend has not finished yet: ask again), until `timeout`.
    ///
    /// - Throws: nothing when it committed; ``SessionError/Code/transactionFailed`` with
    ///   ``SessionError/abortedWhenTheConnectionWasLost`` when it aborted;
    ///   ``SessionError/Code/commitOutcomeUnknown`` when the id never arrived, the transaction
    ///   wrote nothing, the server no longer knows the id, or the timeout passed.
    private func resolveLostCommit(_ lost: ConnectionError, transactionID: String??, within timeout: Duration) async throws {
        guard case .some(.some(let id)) = transactionID else { throw SessionError.commitOutcomeUnknown(after: lost) }
        let logger = connection.logger
        let deadline = ContinuousClock.now + timeout
        var pause: Duration = .milliseconds(20)
        var lastProblem = "no answer yet"
        resolving: while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { break }
            do {
                let status = try await Self.transactionStatus(of: id, configuration: connection.configuration,
                                                              logger: logger, within: remaining)
                switch status {
                case "committed"?:
                    transaction.commitResolved(committed: true)
                    logger.notice("the connection was lost during COMMIT; the server says the transaction committed",
                                  metadata: ["tusk_xid": "\(id)"])
                    return
                case "aborted"?:
                    transaction.commitResolved(committed: false)
                    throw SessionError(.transactionFailed,
                                       message: "the connection was lost during COMMIT, and the server says the transaction aborted: nothing was committed",
                                       underlying: lost, abortedWhenTheConnectionWasLost: true)
                case "in progress"?:
                    // The old backend has not finished its COMMIT (or noticed the loss) yet.
                    lastProblem = "the transaction was still in progress"
                default:
                    // NULL: too old for the commit log, the server can no longer tell.
                    lastProblem = "the server no longer knows the transaction"
                    break resolving
                }
            } catch let error as SessionError {
                throw error
            } catch {
                // The server may be restarting: try again until the deadline.
                lastProblem = "\(error)"
            }
            try? await Task.sleep(for: min(pause, ContinuousClock.now.duration(to: deadline)))
            pause = min(pause * 2, .milliseconds(500))
        }
        logger.warning("the outcome of a commit whose connection was lost could not be learned",
                       metadata: ["tusk_xid": "\(id)", "tusk_reason": "\(lastProblem)"])
        throw SessionError.commitOutcomeUnknown(after: lost)
    }

    /// `pg_xact_status(id)` over a connection of its own; nil when the server no longer knows.
    private static func transactionStatus(of id: String, configuration: ConnectionConfiguration, logger: Logger,
                                          within remaining: Duration) async throws -> String? {
        var configuration = configuration
        configuration.connectTimeout = min(configuration.connectTimeout, remaining)
        let checker = try await Connection.connect(to: configuration, logger: logger)
        do {
            let status = try await checker.query("SELECT pg_xact_status(\(id)::xid8)", timeout: remaining)
            await checker.close()
            return try status.first?.decode(String?.self, at: 0) ?? nil
        } catch {
            await checker.close()
            throw error
        }
    }
}
