import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite struct BulkTests {
    struct Reading: Model, Equatable {
        static let tableName = "readings"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var sensor: String?
        var value: Double
    }

    struct Account: Model, Equatable {
        static let tableName = "accounts"
        var id: Int64?
        var email: String
        var score: Int64
    }

    func createTables(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { connection in
            try await connection.executeScript("""
                CREATE TABLE readings (id bigint PRIMARY KEY, sensor text NOT NULL, value float8 NOT NULL);
                CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, score bigint NOT NULL, note text)
                """)
        }
    }

    /// Rows produced lazily, one by one, like a file or a network feed.
    struct Readings: AsyncSequence {
        let count: Int
        var failAt: Int? = nil
        var nullSensorAt: Int? = nil
        struct ProducerFailed: Error {}

        func makeAsyncIterator() -> Iterator { Iterator(source: self) }

        struct Iterator: AsyncIteratorProtocol {
            let source: Readings
            var next = 1
            mutating func next() async throws -> Reading? {
                guard next <= source.count else { return nil }
                defer { next += 1 }
                if next == source.failAt { throw ProducerFailed() }
                return Reading(id: Int64(next), sensor: next == source.nullSensorAt ? nil : "s\(next % 7)", value: Double(next) * 0.5)
            }
        }
    }

    @Test func millionRowsFromAnAsyncSequenceWithMatchingServerChecksum() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createTables(pool)
            let count = 1_000_000
            let progress = Locked<[Int]>([])
            let copied = try await pool.withSession { session in
                try await session.repository(Reading.self).addMany(Readings(count: count)) { sent in
                    progress.withLock { $0.append(sent) }
                }
            }
            #expect(copied == count)
            #expect(progress.value.last == count)
            #expect(progress.value.count > 5, "progress reported per chunk")
            let check = try await TestDatabase.connect(schema: schema)
            let row = try await check.query("SELECT count(*), sum(id)::int8, sum(value), count(DISTINCT sensor) FROM readings")[0]
            let (rows, ids, values, sensors) = try row.decodeColumns((Int, Int64, Double, Int).self)
            #expect(rows == count)
            #expect(ids == Int64(count) * Int64(count + 1) / 2)
            #expect(values == Double(count) * Double(count + 1) / 4)
            #expect(sensors == 7)
            await check.close()
        }
    }

    @Test func notNullViolationInTheLastChunkRollsEverythingBack() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createTables(pool)
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { session in
                    try await session.repository(Reading.self).addMany(Readings(count: 200_000, nullSensorAt: 199_999), chunkBytes: 64 * 1024)
                }
            }
            #expect(error?.sqlState == .notNullViolation)
            #expect(error?.column == "sensor")
            #expect(error?.context?.contains("line 199999") == true, "\(String(describing: error?.context))")
            #expect(try await TestDatabase.count("readings", in: schema) == 0)
        }
    }

    @Test func producerErrorIsRethrownAndNothingRemains() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createTables(pool)
            await #expect(throws: Readings.ProducerFailed.self) {
                try await pool.withSession { session in
                    try await session.repository(Reading.self).addMany(Readings(count: 100_000, failAt: 80_000), chunkBytes: 64 * 1024)
                }
            }
            #expect(try await TestDatabase.count("readings", in: schema) == 0)
        }
    }

    @Test func cancellationMidCopyLeavesNothingAndThePoolAtFullStrength() async throws {
        try await TestDatabase.withPool(min: 2, max: 2) { pool, schema in
            try await createTables(pool)
            try await waitUntil { pool.statistics.idle == 2 }
            let started = Locked(false)
            let task = Task {
                try await pool.withSession { session in
                    try await session.repository(Reading.self).addMany(Readings(count: 50_000_000), chunkBytes: 64 * 1024) { _ in
                        started.withLock { $0 = true }
                    }
                }
            }
            try await waitUntil { started.value }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await TestDatabase.count("readings", in: schema) == 0)
            try await waitUntil { pool.statistics.idle == 2 }
            #expect(pool.statistics.idle == 2, "the pool is at full strength")
            #expect(try await pool.withConnection { try await $0.query("SELECT 1").count } == 1)
        }
    }

    @Test func upsertOfHundredThousandWithHalfPresent() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createTables(pool)
            try await pool.withSession { session in
                let readings = session.repository(Reading.self)
                try await readings.addMany((1...50_000).map { Reading(id: Int64($0), sensor: "old", value: 1) })
                let incoming = (25_001...125_000).map { Reading(id: Int64($0), sensor: "new", value: Double($0)) }
                #expect(try await readings.upsertMany(incoming, matching: [\.id]) == 100_000)
            }
            let check = try await TestDatabase.connect(schema: schema)
            let row = try await check.query("""
                SELECT count(*), count(*) FILTER (WHERE sensor = 'old'), count(*) FILTER (WHERE sensor = 'new' AND value = id),
                       min(id), max(id) FROM readings
                """)[0]
            let (total, old, new, low, high) = try row.decodeColumns((Int, Int, Int, Int64, Int64).self)
            #expect(total == 125_000 && old == 25_000 && new == 100_000 && low == 1 && high == 125_000)
            await check.close()
        }
    }

    @Test func duplicateKeysInOneBatchLastOneWins() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await createTables(pool)
            try await pool.withSession { session in
                let accounts = session.repository(Account.self)
                let batch = [
                    Account(id: nil, email: "a@x.org", score: 1), Account(id: nil, email: "b@x.org", score: 1),
                    Account(id: nil, email: "a@x.org", score: 2), Account(id: nil, email: "a@x.org", score: 3),
                ]
                #expect(try await accounts.upsertMany(batch, matching: [\.email]) == 2)
                #expect(try await accounts.getOne(where: \.email == "a@x.org").score == 3)
                let updated = try await accounts.upsert(Account(id: nil, email: "b@x.org", score: 9), matching: [\.email],
                                                        update: .columns([\Account.score]))
                #expect(updated?.score == 9)
                let skipped = try await accounts.upsert(Account(id: nil, email: "b@x.org", score: 0), matching: [\.email], update: .nothing)
                #expect(skipped == nil, "DO NOTHING writes nothing")
                let guarded = try await accounts.upsert(Account(id: nil, email: "b@x.org", score: 1), matching: [\.email],
                                                        where: .sql("accounts.score < \(Int64(5))"))
                #expect(guarded == nil, "the WHERE on the update kept the existing row")
                #expect(try await accounts.getOne(where: \.email == "b@x.org").score == 9)
            }
        }
    }

    @Test func matchingANonUniqueColumnIsAClearError() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await createTables(pool)
            let error = await #expect(throws: RepositoryError.self) {
                try await pool.withSession { session in
                    try await session.repository(Account.self).upsertMany([Account(id: nil, email: "a@x.org", score: 1)], matching: [\.score])
                }
            }
            #expect(error?.code == .notUnique)
            #expect(error?.message.contains("(score)") == true)
        }
    }

    @Test func addManyReturningGivesIDsInInputOrder() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await createTables(pool)
            try await pool.withSession { session in
                let accounts = session.repository(Account.self)
                // Scores descending so that any reordering by the server would show.
                let input = (0..<12_000).map { Account(id: nil, email: "r\($0)@x.org", score: Int64(12_000 - $0)) }
                let ids = try await accounts.addMany(input, returning: \.id, chunkSize: 5_000)
                #expect(ids.count == 12_000)
                let stored = try await accounts.getMany(ids: ids.compactMap { $0 })
                let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id ?? 0, $0) })
                for (index, id) in ids.enumerated() {
                    #expect(byID[id ?? -1]?.email == "r\(index)@x.org")
                    if byID[id ?? -1]?.email != "r\(index)@x.org" { break }
                }
                let rows = try await accounts.addMany([Account(id: nil, email: "full@x.org", score: 7)], returning: \.self)
                #expect(rows.first?.id != nil && rows.first?.score == 7)
            }
        }
    }

    @Test func updateManyAndDeleteManyReturnCounts() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createTables(pool)
            try await pool.withSession { session in
                let accounts = session.repository(Account.self)
                let stored = try await accounts.addMany((0..<1_000).map { Account(id: nil, email: "u\($0)@x.org", score: 0) }, returning: \.self)
                let changed = stored.prefix(600).map { Account(id: $0.id, email: $0.email, score: 42) }
                #expect(try await accounts.updateMany(changed, columns: [\Account.score]) == 600)
                #expect(try await accounts.deleteMany(ids: stored.suffix(100).compactMap(\.id)) == 100)
            }
            #expect(try await TestDatabase.count("accounts", in: schema, where: "score = 42") == 600)
            #expect(try await TestDatabase.count("accounts", in: schema) == 900)
        }
    }

    @Test func moreThanSixtyFiveThousandValuesInOneBatchWork() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createTables(pool)
            try await pool.withSession { session in
                // 30,000 rows × 3 columns = 90,000 values: as arrays, three parameters.
                let accounts = session.repository(Account.self)
                let rows = (0..<30_000).map { Account(id: nil, email: "p\($0)@x.org", score: Int64($0)) }
                let affected = try await accounts.upsertMany(rows, matching: [\.email], chunkSize: 30_000)
                #expect(affected == 30_000)
            }
            #expect(try await TestDatabase.count("accounts", in: schema) == 30_000)
        }
    }
}
