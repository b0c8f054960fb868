import Foundation
import Testing
import Tusk
import TuskTestSupport

/// LISTEN/NOTIFY against the real server. Every test listens on channels of its own and tags its
/// pool with an application name of its own, so parallel tests never hear each other or find
/// each other's listening backend.
@Suite struct NotificationTests {
    /// A channel name no other test uses.
    static func channel(_ name: String = "ch") -> String {
        "tusk_\(name)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A pool whose connections (and listeners) carry a unique application name.
    static func withPool<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        let application = "tusk-listen-\(UUID().uuidString.prefix(8))"
        return try await TestDatabase.withPool(configure: { $0.connection.applicationName = application }) { pool, _ in
            try await body(pool, application)
        }
    }

    /// The backends of `application` that listen (their last statement was the LISTEN script).
    static func listeningBackends(_ application: String) async throws -> [Int32] {
        let observer = try await TestDatabase.connect()
        defer { Task { await observer.close() } }
        return try await observer.query("""
            SELECT pid FROM pg_stat_activity WHERE application_name = \(application) AND query LIKE 'LISTEN %'
            """).map { try $0.decode(Int32.self, at: 0) }
    }

    static func backendExists(_ pid: Int32) async throws -> Bool {
        let observer = try await TestDatabase.connect()
        defer { Task { await observer.close() } }
        return try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)").count == 1
    }

    static func logLatency(_ label: String, from sent: ContinuousClock.Instant, to arrived: ContinuousClock.Instant?) {
        print("notification latency (\(label)): \(arrived.map { sent.duration(to: $0) }.map(String.init(describing:)) ?? "never")")
    }

    @Test func aNotificationArrivesWithItsChannelPayloadAndSender() async throws {
        try await Self.withPool { pool, _ in
            let channel = Self.channel()
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            let sender = try await TestDatabase.connect()
            let sent = ContinuousClock.now
            try await sender.notify(channel: channel, payload: "hello")
            let received = try await collector.waitForNotifications(1)
            Self.logLatency("one notification", from: sent, to: collector.arrival(of: "hello"))
            #expect(received == [PostgresNotification(channel: channel, payload: "hello", backendPID: sender.backendPID)])
            await sender.close()
            await collector.stop()
            #expect(collector.gaps.isEmpty)
        }
    }

    @Test func payloadsArriveByteForByte() async throws {
        try await Self.withPool { pool, _ in
            let channel = Self.channel()
            let payloads = [
                #"it's "quoted" 'twice'"#,
                #"back\slash \n \\ not an escape"#,
                "line one\nline two\r\n\ttabbed",
                "emoji 🐘🎉👩‍👩‍👧 CJK 通知を送る 한국어",
                "'; LISTEN x; SELECT pg_notify('y', 'z'); --",
                "$1 $$ %s {0}",
                "",
                String(repeating: "x", count: 7_999),
            ]
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            for payload in payloads { try await pool.notify(channel: channel, payload: payload) }
            let received = try await collector.waitForNotifications(payloads.count)
            #expect(received.map { Array($0.payload.utf8) } == payloads.map { Array($0.utf8) })
            #expect(received.allSatisfy { $0.channel == channel })
            await collector.stop()
        }
    }

    @Test func aPayloadOf8000BytesIsRefusedByTheServer() async throws {
        try await Self.withPool { pool, _ in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.notify(channel: Self.channel(), payload: String(repeating: "x", count: 8_000))
            }
            #expect(error?.sqlState == .invalidParameterValue)
        }
    }

    @Test func channelNamesKeepQuotesSpacesAndCase() async throws {
        try await Self.withPool { pool, _ in
            let channel = #"My "Quoted" Channel "# + UUID().uuidString.prefix(8)
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            // Sent first: had the name been folded to lower case, this would arrive first.
            try await pool.notify(channel: channel.lowercased(), payload: "lower")
            try await pool.notify(channel: channel, payload: "exact")
            let received = try await collector.waitForNotifications(1)
            #expect(received.map(\.payload) == ["exact"])
            #expect(received.first?.channel == channel)
            await collector.stop()
        }
    }

    @Test func aChannelOf63BytesWorksAndOneOf64IsRefused() async throws {
        try await Self.withPool { pool, application in
            let channel = String(repeating: "通", count: 18) + "_" + UUID().uuidString.prefix(8)
            #expect(channel.utf8.count == 63)
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            try await pool.notify(channel: channel, payload: "fits")
            #expect(try await collector.waitForNotifications(1).map(\.channel) == [channel])
            await collector.stop()

            let tooLong = channel + "x"
            let error = await #expect(throws: NotificationError.self) { try await pool.notifications(channel: tooLong) }
            #expect(error?.code == .invalidChannel)
            await #expect(throws: NotificationError.self) { try await pool.notify(channel: tooLong) }
            await #expect(throws: NotificationError.self) { try await pool.notifications(channel: "") }
            await #expect(throws: NotificationError.self) { try await pool.notifications(channels: []) }
            await #expect(throws: NotificationError.self) {
                try await pool.withSession { try await $0.notify(channel: "a\u{0}b") }
            }
            #expect(try await Self.listeningBackends(application).isEmpty, "a refused channel opened nothing")
        }
    }

    @Test func fiftyChannelsShareOneListeningConnection() async throws {
        try await Self.withPool { pool, application in
            let channels = (0..<50).map { Self.channel("many\($0)") }
            let collector = NotificationCollector(try await pool.notifications(channels: channels))
            #expect(try await Self.listeningBackends(application).count == 1)
            let sent = ContinuousClock.now
            for (index, channel) in channels.enumerated() {
                try await pool.notify(channel: channel, payload: "\(index)")
            }
            let received = try await collector.waitForNotifications(channels.count)
            Self.logLatency("50 channels, last one", from: sent, to: collector.arrival(of: "49"))
            #expect(received.map(\.channel) == channels)
            #expect(received.map(\.payload) == channels.indices.map(String.init))
            await collector.stop()
        }
    }

    @Test func anIdleListenerIsKeptAliveAndMissesNothingMeanwhile() async throws {
        let logs = Locked<[String]>([])
        try await TestDatabase.withPool(logger: CapturingLogHandler.logger(into: logs)) { pool, _ in
            let channel = Self.channel()
            var options = NotificationOptions()
            options.keepaliveInterval = .milliseconds(10)
            let collector = NotificationCollector(try await pool.notifications(channel: channel, options: options))
            // The listener's statements: its LISTEN, then one empty statement per keepalive.
            func statements() -> Int { logs.value.filter { $0.hasPrefix("debug statement") && $0.contains("tusk_listen") }.count }
            try await waitUntil { statements() >= 4 }
            // Sent while keepalives run: those that arrive during one are read with its result.
            for index in 0..<20 { try await pool.notify(channel: channel, payload: "\(index)") }
            let received = try await collector.waitForNotifications(20)
            #expect(received.map(\.payload) == (0..<20).map(String.init))
            #expect(collector.gaps.isEmpty)
            await collector.stop()
        }
    }

    @Test func theListenerIsNotOneOfThePoolsConnections() async throws {
        try await TestDatabase.withPool(min: 0, max: 1) { pool, _ in
            let channel = Self.channel()
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            let statistics = pool.statistics
            #expect(statistics.idle + statistics.inUse + statistics.opening == 0)
            // The pool's only connection is still free for work while the listener listens.
            try await pool.withConnection { connection in
                try await connection.notify(channel: channel, payload: "from the pool")
            }
            #expect(try await collector.waitForNotifications(1).map(\.payload) == ["from the pool"])
            await collector.stop()
        }
    }

    @Test func sessionNotificationsAreDeliveredAtCommitAndNeverAfterRollback() async throws {
        try await Self.withPool { pool, _ in
            let channel = Self.channel()
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await pool.withSession { session in
                    try await session.notify(channel: channel, payload: "rolled back")
                    throw Rollback()
                }
            }
            try await pool.withSession { session in
                try await session.notify(channel: channel, payload: "committed")
                // Sent and delivered from another connection while this transaction is open:
                // once it is here, "committed" would have been too, were it not held for COMMIT.
                try await pool.notify(channel: channel, payload: "marker")
                try await collector.waitForNotifications(1)
                #expect(collector.notifications.map(\.payload) == ["marker"])
            }
            try await collector.waitForNotifications(2)
            // Notifications arrive in commit order, so "rolled back" would have come first.
            #expect(collector.notifications.map(\.payload) == ["marker", "committed"])
            await collector.stop()
        }
    }

    @Test func theGuidesExampleSeesThePostItWasToldAbout() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await BlogSchema.create(in: pool)
            let channel = Self.channel("posts")
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            let author = try await pool.withSession { session in
                try await session.repository(Author.self).add(Author(id: nil, name: "Ada", email: "ada@example.com"))
            }
            let authorID = try #require(author.id)
            let publish = Task {
                try await pool.withSession { session in
                    let post = try await session.repository(Post.self).add(
                        Post(id: nil, authorID: authorID, title: "Hello", body: "First post"))
                    try await session.notify(channel: channel, payload: "\(post.id ?? 0)")
                }
            }
            let notification = try #require(try await collector.waitForNotifications(1).first)
            // Delivered at commit: the row the payload names is visible to everyone by now.
            let id = try #require(Int64(notification.payload))
            let seen = try await pool.withSession { try await $0.repository(Post.self).get(id: id) }
            try await publish.value
            await collector.stop()
            #expect(seen?.title == "Hello")
        }
    }

    @Test func cancellingTheConsumerEndsTheSequenceAndTheListeningBackendGoes() async throws {
        try await Self.withPool { pool, application in
            let collector = NotificationCollector(try await pool.notifications(channel: Self.channel()))
            let pids = try await Self.listeningBackends(application)
            #expect(pids.count == 1)
            let pid = try #require(pids.first)
            let cancelled = ContinuousClock.now
            await collector.stop()
            print("notification sequence ended \(cancelled.duration(to: .now)) after its task was cancelled")
            if case .failure(let error) = collector.ended { Issue.record("ended with \(error)") }
            #expect(collector.ended != nil)
            try await waitUntil { try await !Self.backendExists(pid) }
        }
    }

    @Test func breakingOutOfTheLoopClosesTheConnection() async throws {
        try await Self.withPool { pool, application in
            let channel = Self.channel()
            let events = try await pool.notifications(channel: channel)
            let pid = try #require(try await Self.listeningBackends(application).first)
            try await pool.notify(channel: channel, payload: "one")
            for try await event in events {
                if case .notification(let notification) = event { #expect(notification.payload == "one") }
                break
            }
            // The iterator is gone; the sequence no longer holds the connection.
            try await waitUntil { try await !Self.backendExists(pid) }
        }
    }

    @Test func aSequenceThatIsNeverIteratedClosesItsConnectionWhenDropped() async throws {
        try await Self.withPool { pool, application in
            var events: NotificationSequence? = try await pool.notifications(channel: Self.channel())
            let pid = try #require(try await Self.listeningBackends(application).first)
            #expect(events != nil)
            events = nil
            try await waitUntil { try await !Self.backendExists(pid) }
        }
    }

    @Test func aTerminatedListenerReportsTheGapAndListensOnEveryChannelAgain() async throws {
        try await Self.withPool { pool, application in
            let channels = [Self.channel("a"), Self.channel("b")]
            let collector = NotificationCollector(try await pool.notifications(channels: channels))
            try await pool.notify(channel: channels[0], payload: "before")
            try await collector.waitForNotifications(1)
            let old = try #require(try await Self.listeningBackends(application).first)

            let admin = try await TestDatabase.connect()
            let terminated = ContinuousClock.now
            #expect(try await admin.query("SELECT pg_terminate_backend(\(old), 5000)")[0].decode(Bool.self, at: 0))
            await admin.close()
            try await waitUntil { !collector.gaps.isEmpty }
            print("listener reconnected \(terminated.duration(to: .now)) after its backend was terminated")
            let gap = try #require(collector.gaps.first)
            #expect((gap.cause as? ConnectionError)?.code == .connectionLost)
            #expect(gap.attempts >= 1)

            let new = try #require(try await Self.listeningBackends(application).first)
            #expect(new != old)
            for channel in channels { try await pool.notify(channel: channel, payload: "after \(channel)") }
            try await collector.waitForNotifications(3)
            #expect(collector.notifications.map(\.payload) == ["before"] + channels.map { "after \($0)" })
            // The gap comes after what the old connection received, before what the new one did.
            #expect(collector.events.map { if case .notification = $0.event { "n" } else { "gap" } } == ["n", "gap", "n", "n"])
            await collector.stop()
        }
    }
}
