import Testing
@testable import Tusk

@Suite struct RetryPolicyTests {
    let lost = ConnectionError(.connectionLost, message: "gone")

    @Test func aCommitTheServerSaysAbortedIsRetriedAnUnknownOneNever() {
        let aborted = SessionError(.transactionFailed, message: "aborted", underlying: lost, abortedWhenTheConnectionWasLost: true)
        #expect(RetryPolicy.isRetryable(aborted))
        #expect(!RetryPolicy.isRetryable(SessionError.commitOutcomeUnknown(after: lost)))
        #expect(!RetryPolicy.isRetryable(SessionError(.transactionFailed, message: "failed", underlying: lost)))
    }

    @Test func serializationFailuresAndDeadlocksAreRetriedAlsoAtCommit() {
        let conflict = PostgresError(sqlState: .serializationFailure, message: "could not serialize")
        #expect(RetryPolicy.isRetryable(conflict))
        #expect(RetryPolicy.isRetryable(SessionError(.commitFailed, message: "refused", underlying: conflict)))
        #expect(RetryPolicy.isRetryable(PostgresError(sqlState: .deadlockDetected, message: "deadlock")))
        #expect(!RetryPolicy.isRetryable(PostgresError(sqlState: .uniqueViolation, message: "duplicate")))
    }
}
