import Foundation
import Testing
import Tusk
import TuskTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `upsertMany` reads its input a chunk at a time and never leaves its pre-encoding task behind.
@Suite struct UpsertManyChunkingTests {
    struct Item: Model {
        static let tableName = "items"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var v: Int32
    }

    /// A sequence that counts the elements pulled from it.
    struct Counted: Sequence {
        let count: Int
        let pulled: Locked<Int>
        let value: @Sendable (Int64) -> Int32

        func makeIterator() -> Iterator { Iterator(source: self) }

        struct Iterator: IteratorProtocol {
            let source: Counted
            var position: Int64 = 1
            mutating func next() -> Item? {
                guard position <= source.count else { return nil }
                defer { position += 1 }
                source.pulled.withLock { $0 += 1 }
                return Item(id: position, v: source.value(position))
            }
        }
    }

    func createItems(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { try await $0.execute("CREATE TABLE items (id int8 PRIMARY KEY, v int4 NOT NULL CHECK (v >= 0))") }
    }

    @Test func readsTheSequenceAChunkAheadOfTheStatementItRuns() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let pulled = Locked(0)
            // Row 50 breaks the check constraint: the first statement fails, and by then only the
            // chunk it carries and the one being encoded next have been read.
            let models = Counted(count: 1_000, pulled: pulled) { $0 == 50 ? -1 : Int32($0) }
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { try await $0.repository(Item.self).upsertMany(models, matching: [\.id], chunkSize: 100) }
            }
            #expect(error?.sqlState == .checkViolation)
            #expect(pulled.value == 200, "two chunks of 100 read, not the whole input")
            #expect(try await TestDatabase.count("items", in: schema) == 0)
            let all = Counted(count: 1_000, pulled: Locked(0)) { Int32($0) }
            #expect(try await pool.withSession { try await $0.repository(Item.self).upsertMany(all, matching: [\.id], chunkSize: 100) } == 1_000)
        }
    }

    /// Encoding the first row of the second chunk waits until its task is cancelled (or the test
    /// lets go), then records what it saw.
    struct Probe: Sendable {
        let cancelled = Locked(false)
        let finished = Locked(false)
        let released = Locked(false)
    }

    struct Blocking: Model {
        static let tableName = "items"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var v: Int32
        var probe: Probe

        private enum CodingKeys: String, CodingKey { case id, v }

        init(id: Int64, v: Int32, probe: Probe) {
            self.id = id
            self.v = v
            self.probe = probe
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(Int64.self, forKey: .id)
            v = try container.decode(Int32.self, forKey: .v)
            probe = Probe()
        }

        func encode(to encoder: any Encoder) throws {
            if id == 101 {
                // Waits for a condition, not for time: the sleep only spares the CPU between looks.
                while !Task.isCancelled && !probe.released.value { usleep(200) }
                probe.cancelled.withLock { $0 = Task.isCancelled }
                probe.finished.withLock { $0 = true }
                if Task.isCancelled { throw CancellationError() }
            }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(v, forKey: .v)
        }
    }

    @Test func aFailedStatementCancelsAndAwaitsThePreEncodingOfTheNextChunk() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let probe = Probe()
            let models = (1...300).map { Blocking(id: Int64($0), v: $0 == 50 ? -1 : Int32($0), probe: probe) }
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { try await $0.repository(Blocking.self).upsertMany(models, matching: [\.id], chunkSize: 100) }
            }
            let finished = probe.finished.value
            let cancelled = probe.cancelled.value
            probe.released.withLock { $0 = true }  // lets a leaked encoding end, should there be one
            #expect(error?.sqlState == .checkViolation, "the statement's error, not the cancellation's")
            #expect(finished, "the next chunk's encoding had ended when upsertMany returned")
            #expect(cancelled, "it ended because it was cancelled")
            #expect(try await TestDatabase.count("items", in: schema) == 0)
        }
    }
}
