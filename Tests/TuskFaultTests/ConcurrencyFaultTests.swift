import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct ConcurrencyFaultTests {
    struct Counter: Model {
        static let tableName = "counters"
        static let primaryKey = ["name"]
        static let serverGenerated: Set<String> = []
        var name: String
        var value: Int64
        var id: String { name }
    }

    @Test func concurrentUpsertSerializationFailureIsRetried() async throws {
        try await Faults.withPool { pool, schema, _ in
            try await pool.withConnection { try await $0.execute("CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL)") }
            let barrier = Barrier(parties: 2)
            let attempts = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<2 {
                    group.addTask {
                        var first = true
                        try await pool.withTransaction(isolation: .serializable) { session in
                            attempts.withLock { $0 += 1 }
                            let counters = session.repository(Counter.self)
                            let total = try await counters.count()
                            if first { first = false; await barrier.arrive() }
                            try await counters.upsert(Counter(name: "writer\(writer)", value: Int64(total)), matching: [\.name])
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(attempts.value >= 3, "one of them was retried")
            #expect(try await Faults.count("counters", in: schema) == 2)
            #expect(try await Faults.count("counters", in: schema, where: "value = 1") == 1, "some serial order")
        }
    }

    @Test func constraintViolationsAreTypedWithConstraintAndColumnAndNeverRetried() async throws {
        try await Faults.withPool { pool, _, _ in
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    CREATE TABLE parents (id int PRIMARY KEY);
                    CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents,
                                           age int CONSTRAINT age_positive CHECK (age > 0), email text UNIQUE);
                    INSERT INTO parents VALUES (1); INSERT INTO children VALUES (1, 1, 5, 'a@x.org')
                    """)
            }
            let cases: [(SQL, SQLState, String?, String?)] = [
                ("INSERT INTO children VALUES (2, 1, 5, 'a@x.org')", .uniqueViolation, "children_email_key", nil),
                ("INSERT INTO children VALUES (2, 99, 5, NULL)", .foreignKeyViolation, "children_parent_id_fkey", nil),
                ("INSERT INTO children VALUES (2, NULL, 5, NULL)", .notNullViolation, nil, "parent_id"),
                ("INSERT INTO children VALUES (2, 1, -1, NULL)", .checkViolation, "age_positive", nil),
            ]
            for (statement, state, constraint, column) in cases {
                let attempts = Locked(0)
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.withTransaction { session in
                        attempts.withLock { $0 += 1 }
                        try await session.execute(statement)
                    }
                }
                #expect(error?.sqlState == state)
                if let constraint { #expect(error?.constraint == constraint) }
                if let column { #expect(error?.column == column) }
                #expect(error?.table == "children")
                #expect(attempts.value == 1, "\(state) is not retried")
            }
        }
    }
}
