import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct CancellationFaultTests {
    @Test func cancelledSleepIsGoneFromTheServerPromptly() async throws {
        try await Faults.withPool { pool, _, name in
            let task = Task { try await pool.withConnection { try await $0.query("SELECT pg_sleep(60)") } }
            try await waitUntil { try await Faults.backends(application: name, state: "active") == 1 }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // Gone long before the 60 s sleep would end.
            let start = ContinuousClock.now
            try await waitUntil { try await Faults.backends(application: name, state: "active") == 0 }
            print("cancelled sleep gone from the server after \(ContinuousClock.now - start)")
        }
    }

    @Test func cancelWhileStreamingRollsBackAndFreesTheConnection() async throws {
        try await Faults.withPool(max: 1) { pool, _, _ in
            let seen = Locked(0)
            let task = Task {
                try await pool.withSession { session in
                    struct Row: Decodable { var g: Int }
                    for try await _ in session.stream("SELECT g, pg_sleep(0.001) FROM generate_series(1, 100000) g", as: Row.self, batchSize: 100) {
                        seen.withLock { $0 += 1 }
                    }
                }
            }
            try await waitUntil { seen.value > 300 }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(seen.value < 100_000)
            let clean = try await pool.withConnection { $0.isReusable }
            #expect(clean)
        }
    }

    @Test func cancelWhileCopyIsBlockedOnBackpressure() async throws {
        try await Faults.withPool(max: 2) { pool, schema, _ in
            // The server accepts the COPY but consumes a row every 20 ms: our writes back up
            // until the socket is full and the producer waits.
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    CREATE TABLE sink (id bigint, payload text);
                    CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$;
                    CREATE TRIGGER slow BEFORE INSERT ON sink FOR EACH ROW EXECUTE FUNCTION slow_row()
                    """)
            }
            struct Sink: Model { static let tableName = "sink"; static let serverGenerated: Set<String> = []; var id: Int64; var payload: String }
            let sent = Locked(0)
            let payload = String(repeating: "x", count: 1_000)
            let task = Task {
                try await pool.withSession { session in
                    try await session.repository(Sink.self).addMany((1...1_000_000).lazy.map { Sink(id: Int64($0), payload: payload) },
                                                                    chunkBytes: 64 * 1024) { count in sent.withLock { $0 = count } }
                }
            }
            try await waitUntil { sent.value > 0 }
            var stalled = -1
            try await waitUntil { () async throws -> Bool in
                let before = sent.value
                try await Task.sleep(for: .milliseconds(400))
                stalled = sent.value
                return stalled == before
            }
            #expect(stalled < 1_000_000, "the producer is blocked by backpressure")
            let start = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let elapsed = ContinuousClock.now - start
            print("cancel of a COPY blocked on backpressure returned after \(elapsed)")
            // The server drains 50 rows a second: finishing the COPY would take hours.
            #expect(elapsed < .seconds(10), "promptly: \(elapsed)")
            #expect(try await Faults.count("sink", in: schema) == 0)
            #expect(try await pool.withConnection { $0.isReusable }, "the connection survived the cancel")
        }
    }
}
