import Testing
import Tusk
import TuskTestSupport

/// A session's cursor stream fetches the next batch while it decodes the current one: rows come
/// in order and complete, in one round trip per batch, and neither a failed fetch nor a row that
/// does not decode loses rows or disturbs the transaction.
@Suite struct RowStreamTests {
    struct Number: Decodable, Equatable { var n: Int }

    @Test func aStreamOfWholeBatchesSeesEveryRowInOneRoundTripPerBatch() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                func numbers() async throws -> [Int] {
                    var numbers: [Int] = []
                    for try await number in session.stream("SELECT g AS n FROM generate_series(1, 9) g ORDER BY g", as: Number.self, batchSize: 3) {
                        numbers.append(number.n)
                    }
                    return numbers
                }
                let cold = try await numbers()
                #expect(cold == Array(1...9))
                // Again, with its statements prepared and the cursor's name free again: DECLARE
                // and the first FETCH in one round trip, two more full fetches, the empty one, CLOSE.
                let before = await session.statistics.roundTrips
                let warm = try await numbers()
                #expect(warm == Array(1...9))
                #expect(await session.statistics.roundTrips - before == 5)
                let open = try await session.scalar("SELECT count(*) FROM pg_cursors WHERE name LIKE 'tusk_cursor_%'", as: Int.self)
                #expect(open == 0, "the exhausted cursor is closed")
            }
        }
    }

    @Test func aShortFirstBatchClosesTheCursorAtOnce() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                func numbers() async throws -> [Int] {
                    var numbers: [Int] = []
                    for try await number in session.stream("SELECT g AS n FROM generate_series(1, 2) g ORDER BY g", as: Number.self, batchSize: 3) {
                        numbers.append(number.n)
                    }
                    return numbers
                }
                let cold = try await numbers()
                #expect(cold == [1, 2])
                let before = await session.statistics.roundTrips
                let warm = try await numbers()
                #expect(warm == [1, 2])
                #expect(await session.statistics.roundTrips - before == 2, "DECLARE + FETCH, then CLOSE")
            }
        }
    }

    @Test func statementsInTheLoopRunBetweenFetches() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withSession { session in
                try await session.execute("CREATE TABLE seen (n int)")
                for try await number in session.stream("SELECT g AS n FROM generate_series(1, 10) g ORDER BY g", as: Number.self, batchSize: 4) {
                    try await session.execute("INSERT INTO seen VALUES (\(Int32(number.n)))")
                }
            }
            #expect(try await TestDatabase.count("seen", in: schema) == 10)
        }
    }

    /// The fetch of the batch after a bad row is in flight while the bad row is decoded: the
    /// stream waits for it instead of cancelling it, so the transaction stays healthy and commits.
    @Test func aRowThatDoesNotDecodeEndsTheStreamAndTheTransactionGoesOn() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withSession { session in
                try await session.execute("CREATE TABLE kept (note text)")
                var numbers: [Int] = []
                await #expect(throws: PostgresDecodingError.self) {
                    let rows = session.stream("SELECT CASE WHEN g = 5 THEN NULL ELSE g END AS n FROM generate_series(1, 12) g ORDER BY g",
                                              as: Number.self, batchSize: 3)
                    for try await number in rows { numbers.append(number.n) }
                }
                #expect(numbers == [1, 2, 3], "the batch holding the bad row is refused whole, as before")
                let open = try await session.scalar("SELECT count(*) FROM pg_cursors WHERE name LIKE 'tusk_cursor_%'", as: Int.self)
                #expect(open == 0, "the abandoned cursor is closed")
                try await session.execute("INSERT INTO kept VALUES ('after the stream')")
            }
            #expect(try await TestDatabase.count("kept", in: schema) == 1, "committed")
        }
    }

    /// The fetch that fails runs while the batch before it is decoded; its error comes only after
    /// that batch's rows.
    @Test func aFailedFetchComesAfterTheRowsBeforeIt() async throws {
        try await TestDatabase.withPool { pool, _ in
            var numbers: [Int] = []
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { session in
                    let rows = session.stream("SELECT 10 / (7 - g) AS n FROM generate_series(1, 12) g", as: Number.self, batchSize: 2)
                    for try await number in rows { numbers.append(number.n) }
                }
            }
            #expect(error?.sqlState == .divisionByZero)
            #expect(numbers == [1, 2, 2, 3, 5, 10], "every row before the failing batch, in order")
        }
    }
}
