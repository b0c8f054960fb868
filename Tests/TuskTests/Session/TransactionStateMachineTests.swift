import Testing
@testable import Tusk

@Suite struct TransactionStateMachineTests {
    struct Boom: Error {}

    @Test func theFirstStatementCarriesTheBeginAndLaterOnesDoNot() throws {
        var machine = TransactionStateMachine(autocommit: false)
        let first = try machine.statementRequested()
        #expect(first.begins)
        machine.statementSucceeded(first)
        #expect(machine.hasBegun)
        #expect(try !machine.statementRequested().begins)
    }

    @Test func autocommitNeverBegins() throws {
        var machine = TransactionStateMachine(autocommit: true)
        let plan = try machine.statementRequested()
        #expect(!plan.begins)
        machine.statementSucceeded(plan)
        #expect(try machine.commitRequested(hasPendingWrites: false) == .finish)
    }

    @Test func theServerStatusAfterAFailureDecides() throws {
        // A failed first statement behind its BEGIN: the transaction exists and must roll back.
        var aborted = TransactionStateMachine(autocommit: false)
        _ = try aborted.statementRequested()
        aborted.statementFailed(Boom(), status: .inFailedTransaction)
        #expect(aborted.unusableError?.code == .transactionFailed)
        #expect(aborted.rollbackRequested(connectionAlive: true) == .rollback(abandonCopy: nil))

        // Cancelled after BEGIN ran, before the statement failed anything: still a transaction.
        var cancelled = TransactionStateMachine(autocommit: false)
        _ = try cancelled.statementRequested()
        cancelled.statementFailed(CancellationError(), status: .inTransaction)
        #expect(cancelled.hasBegun)
        #expect(cancelled.unusableError == nil, "the transaction is healthy")
        #expect(cancelled.rollbackRequested(connectionAlive: true) == .rollback(abandonCopy: nil))

        // Cancelled before anything was sent: nothing to roll back.
        var untouched = TransactionStateMachine(autocommit: false)
        _ = try untouched.statementRequested()
        untouched.statementFailed(CancellationError(), status: .idle)
        #expect(!untouched.hasBegun)
        #expect(untouched.rollbackRequested(connectionAlive: true) == .none)

        // Connection lost: failed, and nothing can be sent.
        var lost = TransactionStateMachine(autocommit: false)
        let plan = try lost.statementRequested()
        lost.statementSucceeded(plan)
        lost.statementFailed(Boom(), status: .lost)
        #expect(lost.unusableError?.code == .transactionFailed)
        #expect(lost.rollbackRequested(connectionAlive: false) == .none)
    }

    @Test func aTransactionThatVanishedOnTheServerCannotCommit() throws {
        var machine = TransactionStateMachine(autocommit: false)
        let plan = try machine.statementRequested()
        machine.statementSucceeded(plan)
        machine.statementFailed(Boom(), status: .idle)
        #expect(machine.unusableError?.code == .transactionFailed)
        #expect(try machine.commitRequested(hasPendingWrites: false) == .rollBackFailed)
    }

    @Test func commitFlushesFirstThenSendsCommitAndChecksTheTag() throws {
        var machine = TransactionStateMachine(autocommit: false)
        #expect(try machine.commitRequested(hasPendingWrites: true) == .commit(flushFirst: true, abandonCopy: nil))
        // The flush began the transaction.
        let plan = try machine.statementRequested()
        machine.statementSucceeded(plan)
        #expect(try machine.commitStatementNeeded())
        #expect(!machine.isOpen, "committing")
        try machine.commitFinished(tag: "COMMIT")
        #expect(machine.unusableError?.code == .ended)
    }

    @Test func aCommitAnsweredWithRollbackIsAFailure() throws {
        var machine = TransactionStateMachine(autocommit: false)
        let plan = try machine.statementRequested()
        machine.statementSucceeded(plan)
        _ = try machine.commitRequested(hasPendingWrites: false)
        #expect(try machine.commitStatementNeeded())
        let error = #expect(throws: SessionError.self) { try machine.commitFinished(tag: "ROLLBACK") }
        #expect(error?.code == .transactionFailed)
        #expect(machine.rollbackRequested(connectionAlive: true) == .none, "the server already rolled back")
    }

    @Test func nothingBegunCommitsWithoutSendingAnything() throws {
        var machine = TransactionStateMachine(autocommit: false)
        #expect(try machine.commitRequested(hasPendingWrites: false) == .finish)
        #expect(throws: SessionError.self) { try machine.statementRequested() }
        #expect(throws: SessionError.self) { try machine.commitRequested(hasPendingWrites: false) }
    }

    @Test func aLostCommitIsAnUnknownOutcomeAndEndsTheSession() throws {
        var machine = TransactionStateMachine(autocommit: false)
        let plan = try machine.statementRequested()
        machine.statementSucceeded(plan)
        _ = try machine.commitRequested(hasPendingWrites: false)
        _ = try machine.commitStatementNeeded()
        machine.commitLost()
        #expect(!machine.isOpen)
        #expect(machine.rollbackRequested(connectionAlive: false) == .none)
    }

    @Test func aRefusedCommitEndsTheTransactionWithoutARollback() throws {
        var machine = TransactionStateMachine(autocommit: false)
        let plan = try machine.statementRequested()
        machine.statementSucceeded(plan)
        _ = try machine.commitRequested(hasPendingWrites: false)
        _ = try machine.commitStatementNeeded()
        machine.commitRejected()
        #expect(machine.rollbackRequested(connectionAlive: true) == .none)
    }

    @Test func aSavepointRollbackHealsTheTransactionButAFailedOneDoesNot() throws {
        var machine = TransactionStateMachine(autocommit: false)
        let plan = try machine.statementRequested()
        machine.statementSucceeded(plan)
        #expect(machine.savepointOpened() == 1)
        #expect(machine.savepointOpened() == 2)
        machine.statementFailed(Boom(), status: .inFailedTransaction)
        #expect(machine.canRollBackToSavepoint)
        machine.rolledBackToSavepoint()
        #expect(machine.unusableError == nil)
        machine.savepointClosed()
        machine.unitOfWorkFailed(Boom(), connectionLost: false)
        #expect(machine.unusableError?.code == .transactionFailed)
        machine.savepointClosed()
        #expect(machine.savepointDepth == 0)
    }

    @Test func anOpenExportIsAbandonedBeforeTheNextStatementTheCommitAndTheRollback() throws {
        var machine = TransactionStateMachine(autocommit: false)
        machine.statementSucceeded(try machine.statementRequested())
        machine.copyOutStarted(7)
        #expect(try machine.statementRequested().abandonCopy == 7)
        #expect(try machine.statementRequested().abandonCopy == nil)
        machine.copyOutStarted(8)
        #expect(try machine.commitRequested(hasPendingWrites: false) == .commit(flushFirst: false, abandonCopy: 8))

        var rolling = TransactionStateMachine(autocommit: false)
        rolling.statementSucceeded(try rolling.statementRequested())
        rolling.copyOutStarted(9)
        #expect(rolling.rollbackRequested(connectionAlive: true) == .rollback(abandonCopy: 9))

        var finished = TransactionStateMachine(autocommit: false)
        finished.copyOutStarted(3)
        finished.copyOutFinished(3)
        #expect(try finished.statementRequested().abandonCopy == nil)
    }

    @Test func cursorsAreNumberedFromOneAndReused() {
        var machine = TransactionStateMachine(autocommit: false)
        #expect(machine.cursorOpened() == 1)
        #expect(machine.cursorOpened() == 2)
        machine.cursorClosed(1)
        #expect(machine.cursorOpened() == 1)
        _ = machine.rollbackRequested(connectionAlive: true)
        #expect(machine.openCursors.isEmpty)
    }

    @Test func aLostCommitResolvedByTheServerEndsCommittedOrRolledBack() throws {
        for committed in [true, false] {
            var machine = TransactionStateMachine(autocommit: false)
            machine.statementSucceeded(try machine.statementRequested())
            _ = try machine.commitRequested(hasPendingWrites: false)
            _ = try machine.commitStatementNeeded()
            machine.commitLost()
            machine.commitResolved(committed: committed)
            #expect(machine.unusableError?.message.contains(committed ? "committed" : "rolled back") == true)
            #expect(machine.rollbackRequested(connectionAlive: true) == .none)
        }
    }

    @Test func aCommitThatDidNotRunIsRolledBackByTheSession() throws {
        var machine = TransactionStateMachine(autocommit: false)
        machine.statementSucceeded(try machine.statementRequested())
        _ = try machine.commitRequested(hasPendingWrites: false)
        _ = try machine.commitStatementNeeded()
        machine.commitAbandoned()
        #expect(!machine.isOpen)
    }
}
