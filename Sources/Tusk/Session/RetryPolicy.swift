/// When ``ConnectionPool/withTransaction(isolation:readOnly:deferrable:retry:_:)`` runs a
/// transaction again: on serialization failure (40001) and deadlock (40P01) only, a bounded number
/// of times, after a jittered exponential backoff; and after a commit whose connection was lost
/// when the server says the transaction aborted (nothing was committed). Every other error, and an
/// unknown commit outcome, is never retried.
public struct RetryPolicy: Sendable {
    /// Attempts in all, including the first. 1 disables retrying.
    public var maxAttempts: Int
    /// The delay before the second attempt; it doubles each time.
    public var initialBackoff: Duration
    /// The longest delay.
    public var maximumBackoff: Duration

    /// Creates a policy.
    public init(maxAttempts: Int = 10, initialBackoff: Duration = .milliseconds(5), maximumBackoff: Duration = .milliseconds(500)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Ten attempts, 5 ms doubling to 500 ms.
    public static let `default` = RetryPolicy()
    /// Never retry.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Whether `error` is worth another attempt.
    public static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? PostgresError { return error.isTransactionRetryable }
        if let error = error as? SessionError {
            // Verifiably not committed: the server said it aborted.
            if error.code == .transactionFailed, error.abortedWhenTheConnectionWasLost { return true }
            guard error.code != .commitOutcomeUnknown, let underlying = error.underlying else { return false }
            return isRetryable(underlying)
        }
        if let error = error as? PipelineError, let server = error.serverError { return server.isTransactionRetryable }
        return false
    }

    /// The delay before attempt `attempt` (2, 3, …), between half and all of the exponential
    /// delay.
    func backoff(beforeAttempt attempt: Int) -> Duration {
        let exponential = initialBackoff * (1 << min(max(attempt - 2, 0), 20))
        return min(exponential, maximumBackoff).scaled(by: Double.random(in: 0.5...1))
    }
}
