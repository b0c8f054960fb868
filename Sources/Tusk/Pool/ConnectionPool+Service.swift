import ServiceLifecycle

/// The pool as a swift-service-lifecycle service: put it in the app's `ServiceGroup` before the
/// services that use it, and the group shuts it down after them.
///
/// ```swift
/// let pool = ConnectionPool(configuration: PoolConfiguration(connection: try .fromEnvironment()))
/// let group = ServiceGroup(services: [pool, app], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
extension ConnectionPool: Service {
    /// Serves leases until graceful shutdown begins (or the task is cancelled), then closes the
    /// pool and returns once every connection is gone.
    ///
    /// On graceful shutdown new leases fail with ``PoolError/Code/closed``, leases in flight
    /// finish within ``PoolConfiguration/shutdownGracePeriod`` (their connections are closed under
    /// them after it), connects in flight are cancelled and none is retried. On cancellation the
    /// same happens without the grace period. The pool's background work (its timer, connects and
    /// closes) runs in tasks the pool owns; none outlives `run()`.
    ///
    /// Apps without a `ServiceGroup` call ``close(gracePeriod:)`` instead; `run()` is not needed
    /// for the pool to work.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: close without waiting for leases, whose tasks are being cancelled too.
            await close(gracePeriod: .zero)
            return
        }
        await close(gracePeriod: configuration.shutdownGracePeriod)
    }
}
