import Testing
import Tusk

/// Bulk writes (upsert, upsertMany, addMany through COPY, addMany returning) never leave the
/// session's identity map describing rows as they were before: a later get sees the write, and a
/// later update diffs against what the server holds.
@Suite struct IdentityMapBulkTests {
    struct Counter: Model {
        static let tableName = "counters"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var name: String
        var value: Int64
    }

    func withCounters(_ body: (Session, Repository<Counter>) async throws -> Void) async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { try await $0.execute("CREATE TABLE counters (id bigint PRIMARY KEY, name text NOT NULL, value bigint NOT NULL)") }
            try await pool.withSession { session in
                let counters = session.repository(Counter.self)
                try await counters.add(Counter(id: 1, name: "a", value: 1))
                _ = try await counters.get(id: 1)  // loaded: in the identity map
                try await body(session, counters)
            }
        }
    }

    @Test func upsertRefreshesTheLoadedRow() async throws {
        try await withCounters { _, counters in
            try await counters.upsert(Counter(id: 1, name: "a", value: 5), matching: [\.id])
            #expect(try await counters.get(id: 1)?.value == 5)
        }
    }

    @Test func upsertManyExpiresTheLoadedRows() async throws {
        try await withCounters { _, counters in
            try await counters.upsertMany([Counter(id: 1, name: "a", value: 7), Counter(id: 2, name: "b", value: 1)], matching: [\.id])
            #expect(try await counters.get(id: 1)?.value == 7)
        }
    }

    @Test func aLaterUpdateDiffsAgainstTheServersRowNotAStaleSnapshot() async throws {
        try await withCounters { _, counters in
            try await counters.upsertMany([Counter(id: 1, name: "a", value: 7)], matching: [\.id])
            // Back to the value the stale snapshot holds: against it, nothing would be sent.
            try await counters.update(Counter(id: 1, name: "a", value: 1))
            #expect(try await counters.get(id: 1, refresh: true)?.value == 1)
        }
    }

    @Test func addManyThroughCopyExpiresTheLoadedRowsOfItsModel() async throws {
        try await withCounters { session, counters in
            try await session.execute("DELETE FROM counters WHERE id = 1")
            try await counters.addMany([Counter(id: 1, name: "a", value: 9)])
            #expect(try await counters.get(id: 1)?.value == 9)
        }
    }

    @Test func addManyReturningRemembersWhatWasStored() async throws {
        try await withCounters { session, counters in
            try await session.execute("DELETE FROM counters WHERE id = 1")
            _ = try await counters.addMany([Counter(id: 1, name: "a", value: 11)], returning: \.id)
            #expect(try await counters.get(id: 1)?.value == 11)
        }
    }
}
