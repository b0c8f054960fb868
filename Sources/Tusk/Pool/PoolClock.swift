/// The clock a ``ConnectionPool`` reads and sleeps on for its own timing: acquire timeouts, idle
/// and lifetime retirement, connect backoff, leak reports, the close grace period. Statement and
/// connect timeouts inside a connection follow the real clock regardless.
///
/// Production pools use ``continuous``. A test that is about the pool's timing passes a manual
/// clock instead, so that "the acquire times out after 500 ms" is checked by advancing time, not
/// by waiting and hoping the machine was fast enough.
public struct PoolClock: Sendable {
    let now: @Sendable () -> ContinuousClock.Instant
    let sleep: @Sendable (ContinuousClock.Instant) async throws -> Void

    /// The system's monotonic clock.
    public static let continuous = PoolClock(ContinuousClock())

    /// A pool clock reading and sleeping on `clock`, whose instants are `ContinuousClock`'s.
    public init<C: Clock>(_ clock: C) where C.Instant == ContinuousClock.Instant {
        now = { clock.now }
        sleep = { deadline in try await clock.sleep(until: deadline, tolerance: nil) }
    }
}
