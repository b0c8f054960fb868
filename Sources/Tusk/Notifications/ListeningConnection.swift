/// A connection that listens, as ``NotificationListener`` drives it. ``Connection`` is the real
/// one; unit tests drive the listener's reconnect logic with a scripted one.
protocol ListeningConnection: Sendable {
    /// Waits until at least one notification arrives and returns every one received; returns an
    /// empty array when `idleTimeout` passes first.
    ///
    /// - Throws: `CancellationError` when the task is cancelled; ``ConnectionError`` when the
    ///   connection is lost.
    func waitForNotifications(idleTimeout: Duration?) async throws -> [PostgresNotification]
    /// Checks with a round trip that the server still answers.
    func keepAlive(timeout: Duration) async throws
    /// Closes the connection; the server forgets its `LISTEN`s with it.
    func close() async
}
