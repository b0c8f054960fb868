import Logging
import Testing
import Tusk
import TuskTestSupport

/// Reading a result never reaches libpq with an index outside it: an optional property whose
/// column the query lacks decodes as nil on every row and every path, without libpq notices,
/// even after the connection closed; and out-of-range indexes are typed errors.
@Suite struct ResultBoundsTests {
    struct Person: Model {
        static let tableName = "people"
        var id: Int64?
        var name: String
        var nickname: String?  // not a column of the table
    }

    func createPeople(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { connection in
            try await connection.executeScript("""
                CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL);
                INSERT INTO people (name) VALUES ('ada'), ('grace'), ('barbara');
                """)
        }
    }

    @Test func anAbsentOptionalColumnDecodesAsNilOnEveryRowWithoutNotices() async throws {
        let logs = Locked<[String]>([])
        try await TestDatabase.withPool(logger: CapturingLogHandler.logger(into: logs)) { pool, _ in
            try await createPeople(pool)
            let people = try await pool.withSession { try await $0.repository(Person.self).list(orderBy: [.asc(\.id)]) }
            #expect(people.map(\.name) == ["ada", "grace", "barbara"])
            #expect(people.allSatisfy { $0.nickname == nil })
            // A second result of the same prepared statement reuses the decoding plan.
            let again = try await pool.withSession { try await $0.repository(Person.self).list(orderBy: [.asc(\.id)]) }
            #expect(again.count == 3)
        }
        let outOfRange = logs.value.filter { $0.contains("out of range") }
        #expect(outOfRange.isEmpty, "\(outOfRange)")
    }

    @Test func exportOfAModelWithAnAbsentOptionalColumnDoesNotCrash() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await createPeople(pool)
            let people = try await pool.withSession { session in
                var people: [Person] = []
                for try await person in try session.repository(Person.self).export(orderBy: [.asc(\.id)]) { people.append(person) }
                return people
            }
            #expect(people.map(\.name) == ["ada", "grace", "barbara"])
            #expect(people.allSatisfy { $0.nickname == nil })
        }
    }

    @Test func aResultDecodesAfterItsConnectionClosed() async throws {
        let logs = Locked<[String]>([])
        try await TestDatabase.withSchema { setup, schema in
            try await setup.executeScript("""
                CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL);
                INSERT INTO people (name) VALUES ('ada'), ('grace');
                """)
            let connection = try await Connection.connect(to: try TestDatabase.configuration(schema: schema),
                                                          logger: CapturingLogHandler.logger(into: logs))
            let result = try await connection.query("SELECT * FROM people ORDER BY id")
            await connection.close()
            let people = try result.decode(Person.self)
            #expect(people.map(\.name) == ["ada", "grace"])
            #expect(people.allSatisfy { $0.nickname == nil })
        }
        #expect(logs.value.filter { $0.contains("out of range") }.isEmpty)
    }

    @Test func outOfRangeColumnsAreTypedErrors() async throws {
        let connection = try await TestDatabase.connect()
        let row = try await connection.query("SELECT 1, NULL::int")[0]
        #expect(try row.isNull(at: 1))
        #expect(try !row.isNull(at: 0))
        let error = #expect(throws: PostgresDecodingError.self) { try row.isNull(at: 2) }
        #expect(error?.code == .missingColumn)
        #expect(throws: PostgresDecodingError.self) { try row.isNull(at: -1) }
        #expect(throws: PostgresDecodingError.self) { try row.decode(Int32.self, at: 2) }
        await connection.close()
    }
}
