extension Session {
    /// Sends a notification on `channel` as part of the session's transaction, with
    /// `SELECT pg_notify($1, $2)` (both values bound). PostgreSQL delivers it when the
    /// transaction commits — after the writes it announces are visible — and drops it if the
    /// transaction rolls back. Notifications with the same channel and payload in one
    /// transaction are delivered once.
    ///
    /// ```swift
    /// try await pool.withSession { session in
    ///     let order = try await session.repository(Order.self).add(Order(total: 42))
    ///     try await session.notify(channel: "orders", payload: "\(order.id ?? 0)")
    /// }   // listeners hear of the order only now, once it is committed
    /// ```
    ///
    /// - Throws: ``NotificationError/Code/invalidChannel`` before anything is sent; otherwise as
    ///   ``execute(_:timeout:)``.
    public func notify(channel: String, payload: String = "") async throws {
        try NotificationChannel.validate(channel)
        try await execute(Connection.notifyStatement(channel: channel, payload: payload))
    }
}
