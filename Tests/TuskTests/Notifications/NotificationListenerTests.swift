import Testing
@testable import Tusk
import TuskTestSupport

/// The listener's logic against scripted connections and a manual clock: order of events, the
/// gap it reports, backoff, giving up, keepalives, cancellation.
@Suite struct NotificationListenerTests {
    let lost = ConnectionError(.connectionLost, message: "server closed the connection")

    static func note(_ payload: String, channel: String = "jobs") -> PostgresNotification {
        PostgresNotification(channel: channel, payload: payload, backendPID: 7)
    }

    /// Payloads of notifications, and "gap(attempts)" for each reconnection.
    static func describe(_ event: NotificationEvent?) -> String {
        switch event {
        case .notification(let notification): notification.payload
        case .reconnected(let gap): "gap(\(gap.attempts))"
        case nil: "end"
        }
    }

    func listener(
        _ first: any ListeningConnection, clock: ManualClock, options: NotificationOptions = NotificationOptions(),
        logs: Locked<[String]> = Locked([]), connect: @escaping NotificationListener.Connect
    ) -> NotificationListener {
        NotificationListener(connection: first, connect: connect, options: options, clock: PoolClock(clock),
                             logger: CapturingLogHandler.logger(into: logs))
    }

    @Test func handsOutEveryNotificationOfABatchInOrder() async throws {
        let clock = ManualClock()
        let connection = ScriptedListeningConnection([.receive([Self.note("1"), Self.note("2")]), .receive([Self.note("3")])])
        var listener = listener(connection, clock: clock) { Issue.record("no reconnect expected"); throw lost }
        var seen: [String] = []
        for _ in 0..<3 { seen.append(Self.describe(try await listener.next())) }
        #expect(seen == ["1", "2", "3"])
    }

    @Test func aLossIsReportedAfterWhatTheOldConnectionReceivedAndBeforeWhatTheNewOneReceives() async throws {
        let clock = ManualClock()
        let old = ScriptedListeningConnection([.receive([Self.note("1"), Self.note("2")]),
                                               .fail(lost, advancing: .seconds(5))], clock: clock)
        let new = ScriptedListeningConnection([.receive([Self.note("3")])])
        let logs = Locked<[String]>([])
        var listener = listener(old, clock: clock, logs: logs) { new }
        var events: [NotificationEvent] = []
        for _ in 0..<4 { if let event = try await listener.next() { events.append(event) } }
        #expect(events.map(Self.describe) == ["1", "2", "gap(1)", "3"])
        guard case .reconnected(let gap) = events[2] else { Issue.record("no gap"); return }
        // The old connection was last known to listen when it returned its batch; the clock then
        // moved 5 s before the loss was noticed, and reconnecting took no time on this clock.
        #expect(gap.duration == .seconds(5))
        #expect((gap.cause as? ConnectionError)?.code == .connectionLost)
        #expect(old.closed.value, "the lost connection was closed")
        #expect(!new.closed.value)
        #expect(logs.value.contains { $0.hasPrefix("warning the notification listener lost its connection") })
    }

    @Test func failedConnectsBackOffExponentiallyUpToTheCapWithJitter() async throws {
        let clock = ManualClock()
        var options = NotificationOptions(initialBackoff: .milliseconds(100), maximumBackoff: .milliseconds(400))
        options.jitter = { 1 }
        let attempts = Locked(0)
        let new = ScriptedListeningConnection([.receive([Self.note("after")])])
        let old = ScriptedListeningConnection([.fail(lost)])
        let refused = ConnectionError(.connectionRefused, message: "refused")
        let listener = listener(old, clock: clock, options: options) {
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt < 5 { throw refused }
            return new
        }
        let task = Task {
            var listener = listener
            return (Self.describe(try await listener.next()), Self.describe(try await listener.next()))
        }
        // The first attempt is immediate; then 100, 200, 400 and 400 ms (capped) between them.
        try await waitUntil { attempts.value == 1 }
        for (index, delay) in [100, 200, 400, 400].enumerated() {
            try await waitUntil { clock.sleeperCount == 1 }
            clock.advance(by: .milliseconds(delay) - .nanoseconds(1))
            #expect(clock.sleeperCount == 1, "still backing off just before \(delay) ms")
            #expect(attempts.value == index + 1)
            clock.advance(by: .nanoseconds(1))
            try await waitUntil { attempts.value == index + 2 }
        }
        let (gap, next) = try await task.value
        #expect(gap == "gap(5)")
        #expect(next == "after")
    }

    @Test func jitterShortensADelayByUpToHalf() {
        let options = NotificationOptions(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        #expect(options.backoff(afterFailures: 1, jitter: 0) == .milliseconds(50))
        #expect(options.backoff(afterFailures: 1, jitter: 0.5) == .milliseconds(75))
        #expect(options.backoff(afterFailures: 1, jitter: 1) == .milliseconds(100))
        #expect(options.backoff(afterFailures: 3, jitter: 1) == .milliseconds(400))
        #expect(options.backoff(afterFailures: 5, jitter: 1) == .seconds(1), "capped")
        #expect(options.backoff(afterFailures: 10_000, jitter: 2) == .seconds(1), "no overflow, jitter clamped")
        #expect(options.backoff(afterFailures: 0, jitter: -1) == .milliseconds(50))
    }

    @Test func givesUpAfterTheMaximumAttemptsWithTheLastError() async throws {
        let clock = ManualClock()
        let options = NotificationOptions(initialBackoff: .zero, maximumReconnectAttempts: 2)
        let attempts = Locked(0)
        let old = ScriptedListeningConnection([.fail(lost)])
        var listener = listener(old, clock: clock, options: options) {
            let attempt = attempts.withLock { $0 += 1; return $0 }
            throw ConnectionError(.connectionRefused, message: "attempt \(attempt)")
        }
        let error = await #expect(throws: ConnectionError.self) { try await listener.next() }
        #expect(error?.message == "attempt 2")
        #expect(attempts.value == 2)
        #expect(Self.describe(try await listener.next()) == "end", "the sequence is over")
        #expect(attempts.value == 2)
    }

    @Test func zeroAttemptsEndsTheSequenceWithTheLoss() async throws {
        let clock = ManualClock()
        var listener = listener(ScriptedListeningConnection([.fail(lost)]), clock: clock,
                                options: NotificationOptions(maximumReconnectAttempts: 0)) {
            Issue.record("must not reconnect")
            throw lost
        }
        let error = await #expect(throws: ConnectionError.self) { try await listener.next() }
        #expect(error?.code == .connectionLost)
    }

    @Test func anIdleConnectionIsKeptAliveAndOneWhoseKeepaliveFailsIsReplaced() async throws {
        let clock = ManualClock()
        let timeout = ConnectionError(.timeout, message: "no answer")
        let healthy = ScriptedListeningConnection([.idle, .receive([Self.note("1")])])
        var listener = listener(healthy, clock: clock) { Issue.record("no reconnect expected"); throw timeout }
        #expect(Self.describe(try await listener.next()) == "1")
        #expect(healthy.keepalives.value == 1)

        let silent = ScriptedListeningConnection([.idle], keepaliveFailure: timeout)
        let replacement = ScriptedListeningConnection([.receive([Self.note("2")])])
        var other = self.listener(silent, clock: clock) { replacement }
        let first = try await other.next()
        guard case .reconnected(let gap) = first else { Issue.record("expected a gap, got \(Self.describe(first))"); return }
        #expect((gap.cause as? ConnectionError)?.code == .timeout)
        #expect(silent.closed.value)
        #expect(Self.describe(try await other.next()) == "2")
    }

    @Test func cancellingTheConsumerEndsTheSequenceAndClosesTheConnection() async throws {
        let clock = ManualClock()
        let connection = ScriptedListeningConnection([.receive([Self.note("1")])])
        let listener = listener(connection, clock: clock) { Issue.record("no reconnect expected"); throw lost }
        let task = Task {
            var listener = listener
            var seen: [String] = []
            while let event = try await listener.next() { seen.append(Self.describe(event)) }
            return seen
        }
        try await waitUntil { connection.waitsInProgress.value == 1 }
        task.cancel()
        #expect(try await task.value == ["1"])
        #expect(connection.closed.value)
    }

    @Test func cancellingDuringTheBackoffEndsTheSequenceWithoutAnotherAttempt() async throws {
        let clock = ManualClock()
        let attempts = Locked(0)
        let listener = listener(ScriptedListeningConnection([.fail(lost)]), clock: clock) {
            attempts.withLock { $0 += 1 }
            throw ConnectionError(.connectionRefused, message: "refused")
        }
        let task = Task {
            var listener = listener
            return try await listener.next()
        }
        try await waitUntil { clock.sleeperCount == 1 }
        task.cancel()
        #expect(Self.describe(try await task.value) == "end")
        #expect(attempts.value == 1)
    }

    @Test func aSequenceCanBeIteratedOnce() async throws {
        let clock = ManualClock()
        let connection = ScriptedListeningConnection([.receive([Self.note("1")])])
        let sequence = NotificationSequence(listener: listener(connection, clock: clock) { throw lost })
        var first = sequence.makeAsyncIterator()
        var second = sequence.makeAsyncIterator()
        await #expect(throws: NotificationError.self) { try await second.next() }
        #expect(Self.describe(try await second.next()) == "end")
        #expect(Self.describe(try await first.next()) == "1")
    }
}
