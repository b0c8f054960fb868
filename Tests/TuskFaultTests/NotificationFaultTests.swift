import Foundation
import Testing
import Tusk
import TuskTestSupport

/// A listener whose server goes away: it reports the gap, listens again, and hears what is sent
/// after. Serialized: each test restarts or stops the server.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct NotificationFaultTests {
    static func channel() -> String { "tusk_fault_\(UUID().uuidString.prefix(8).lowercased())" }

    /// The event kinds in order: "n:<payload>" and "gap".
    static func shape(_ collector: NotificationCollector) -> [String] {
        collector.events.map {
            switch $0.event {
            case .notification(let notification): "n:\(notification.payload)"
            case .reconnected: "gap"
            }
        }
    }

    @Test func serverRestartWhileListeningReportsTheGapAndDeliversWhatIsSentAfter() async throws {
        try await Faults.withPool { pool, _, _ in
            let channel = Self.channel()
            let collector = NotificationCollector(try await pool.notifications(channel: channel))
            try await pool.notify(channel: channel, payload: "before")
            try await collector.waitForNotifications(1)

            let restarted = ContinuousClock.now
            try await Server.restart()
            try await waitUntil { !collector.gaps.isEmpty }
            let gap = try #require(collector.gaps.first)
            print("listener back \(restarted.duration(to: .now)) after the restart began: \(gap)")
            #expect((gap.cause as? ConnectionError)?.code == .connectionLost)

            let sent = ContinuousClock.now
            try await pool.notify(channel: channel, payload: "after")
            try await collector.waitForNotifications(2)
            print("notification latency after the restart: \(collector.arrival(of: "after").map { sent.duration(to: $0) }.map(String.init(describing:)) ?? "never")")
            #expect(Self.shape(collector) == ["n:before", "gap", "n:after"])
            await collector.stop()
            #expect(collector.ended != nil)
        }
    }

    @Test func aServerDownForAWhileIsRetriedWithBackoffUntilItIsBack() async throws {
        let logs = Locked<[String]>([])
        try await Faults.withPool(logger: CapturingLogHandler.logger(into: logs)) { pool, _, _ in
            let channel = Self.channel()
            var options = NotificationOptions(initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200))
            options.keepaliveInterval = nil
            let collector = NotificationCollector(try await pool.notifications(channel: channel, options: options))
            func failedAttempts() -> Int { logs.value.filter { $0.contains("could not reconnect") }.count }

            try await Server.pause()
            do {
                // The listener noticed and keeps trying while nothing accepts connections.
                try await waitUntil { failedAttempts() >= 3 }
                #expect(collector.gaps.isEmpty, "no gap is reported before a connection listens again")
            } catch {
                try await Server.resume()
                throw error
            }
            try await Server.resume()
            try await waitUntil { !collector.gaps.isEmpty }
            let gap = try #require(collector.gaps.first)
            print("listener back after the server was down: \(gap)")
            #expect(gap.attempts >= 4, "three failed attempts, then the one that worked")

            try await pool.notify(channel: channel, payload: "back")
            try await collector.waitForNotifications(1)
            #expect(Self.shape(collector) == ["gap", "n:back"])
            await collector.stop()
        }
    }
}
