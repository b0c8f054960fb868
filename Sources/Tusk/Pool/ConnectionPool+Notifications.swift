import Logging

extension ConnectionPool {
    // MARK: - LISTEN

    /// Listens on `channel`: see ``notifications(channels:options:)``.
    ///
    /// ```swift
    /// for try await event in try await pool.notifications(channel: "orders") {
    ///     switch event {
    ///     case .notification(let notification): print(notification.payload)
    ///     case .reconnected(let gap): print("may have missed notifications: \(gap)")
    ///     }
    /// }
    /// ```
    public func notifications(channel: String, options: NotificationOptions = NotificationOptions()) async throws -> NotificationSequence {
        try await notifications(channels: [channel], options: options)
    }

    /// Listens on `channels` and returns their notifications as they arrive, on a connection of
    /// their own.
    ///
    /// ```swift
    /// let events = try await pool.notifications(channels: ["orders", "refunds"])
    /// // LISTEN is in effect now: whatever is committed from here on is delivered.
    /// try await pool.notify(channel: "orders", payload: #"{"id": 42}"#)
    /// for try await event in events {
    ///     switch event {
    ///     case .notification(let notification):
    ///         try await process(channel: notification.channel, payload: notification.payload)
    ///     case .reconnected:
    ///         try await reloadEverything()   // what was sent during the gap is gone
    ///     }
    /// }
    /// ```
    ///
    /// The connection is opened from ``PoolConfiguration/connection`` and is not one of the
    /// pool's: it never counts against ``PoolConfiguration/maxConnections``, and closing the pool
    /// does not close it — ending the iteration does (cancel the task, break the loop, or drop
    /// the sequence). When it is lost (the backend terminated, the server restarted) the sequence
    /// connects again with exponential backoff and jitter, listens on every channel again, and
    /// hands out ``NotificationEvent/reconnected(_:)`` before anything the new connection
    /// receives.
    ///
    /// Channel names are used exactly as given (quoted for `LISTEN`, so case, spaces and quotes
    /// survive); the sender must spell them the same way, as ``notify(channel:payload:)`` does.
    /// A plain `NOTIFY orders` lowercases an unquoted name.
    ///
    /// - Returns: once `LISTEN` took effect on every channel.
    /// - Throws: ``NotificationError/Code/invalidChannel`` before connecting; the errors of
    ///   ``Connection/connect(to:logger:)`` and of the `LISTEN` (this first connect is not
    ///   retried, so a wrong configuration shows at once); `CancellationError`.
    public func notifications(channels: [String], options: NotificationOptions = NotificationOptions()) async throws -> NotificationSequence {
        let channels = try NotificationChannel.validated(channels)
        let configuration = self.configuration.connection
        var logger = self.logger
        logger[metadataKey: "tusk_listen"] = "\(channels.count) channel(s)"
        let connect: NotificationListener.Connect = { [logger] in
            try await Connection.listening(to: channels, configuration: configuration, logger: logger)
        }
        let first = try await connect()
        return NotificationSequence(listener: NotificationListener(
            connection: first, connect: connect, options: options, clock: clock, logger: logger))
    }

    // MARK: - NOTIFY

    /// Sends a notification on `channel` over a pooled connection, outside any transaction: it
    /// is delivered at once. Inside a session use ``Session/notify(channel:payload:)``, which is
    /// delivered when the session commits.
    ///
    /// - Throws: ``NotificationError/Code/invalidChannel`` before anything is sent; the errors of
    ///   ``Connection/notify(channel:payload:)`` and ``withConnection(pinned:_:)``.
    public func notify(channel: String, payload: String = "") async throws {
        try NotificationChannel.validate(channel)
        try await withConnection { connection in
            try await connection.notify(channel: channel, payload: payload)
        }
    }
}
