import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct BulkFaultTests {
    struct Reading: Model {
        static let tableName = "readings"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var sensor: String?
    }

    @Test func badRowAtTheEndOfSevenHundredThousandAndOneKeepsNothingAndNamesTheLine() async throws {
        try await Faults.withPool { pool, schema, _ in
            try await pool.withConnection { try await $0.execute("CREATE TABLE readings (id bigint PRIMARY KEY, sensor text NOT NULL)") }
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { session in
                    let rows = (1...700_001).lazy.map { Reading(id: Int64($0), sensor: $0 == 700_001 ? nil : "s") }
                    try await session.repository(Reading.self).addMany(rows)
                }
            }
            #expect(error?.sqlState == .notNullViolation)
            #expect(error?.context?.contains("line 700001") == true, "\(String(describing: error?.context))")
            #expect(try await Faults.count("readings", in: schema) == 0)
        }
    }

    @Test func errorAfterSomeStreamedRowsSurfacesAndRollsBack() async throws {
        try await Faults.withPool { pool, schema, _ in
            try await pool.withConnection { try await $0.execute("CREATE TABLE audit (note text)") }
            let seen = Locked(0)
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO audit VALUES ('written before the stream')")
                    struct Ratio: Decodable { var ratio: Int }
                    for try await _ in session.stream("SELECT 10 / (5000 - g) AS ratio FROM generate_series(1, 10000) g",
                                                       as: Ratio.self, batchSize: 1_000) {
                        seen.withLock { $0 += 1 }
                    }
                }
            }
            #expect(error?.sqlState == .divisionByZero)
            #expect(seen.value == 4_000, "the rows before the failing batch were delivered")
            #expect(try await Faults.count("audit", in: schema) == 0)
        }
    }
}
