import Testing
import Tusk

@Suite struct PipelineTests {
    @Test func thousandStatementsReturnThousandResultsInOrder() async throws {
        let connection = try await TestDatabase.connect()
        let before = await connection.statistics
        let outcomes = try await connection.pipeline((0..<1000).map { "SELECT \($0)::int8 AS n" })
        let after = await connection.statistics
        #expect(outcomes.count == 1000)
        for (index, outcome) in outcomes.enumerated() {
            #expect(try outcome.get(index: index)[0].decode(Int.self, at: 0) == index)
        }
        // One round trip for the batch (statements were not prepared before: the Parse messages
        // travel in the same pipeline).
        #expect(after.roundTrips - before.roundTrips == 1)
        await connection.close()
    }

    @Test func failingStatementReportsItsIndexAndTheRestAreAborted() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
            var statements: [SQL] = (0..<10).map { "INSERT INTO t VALUES (\(Int32($0)))" }
            statements[5] = "INSERT INTO t VALUES (\(Int32(1)))"  // duplicate key
            let outcomes = try await connection.pipeline(statements)
            for index in 0..<5 {
                guard case .success = outcomes[index] else { Issue.record("statement \(index) should succeed"); continue }
            }
            guard case .failure(let error) = outcomes[5] else { Issue.record("statement 5 should fail"); return }
            #expect(error.sqlState == .uniqueViolation)
            #expect(error.constraint == "t_pkey")
            for index in 6..<10 {
                guard case .aborted = outcomes[index] else { Issue.record("statement \(index) should be aborted"); continue }
            }
            let thrown = #expect(throws: PipelineError.self) { try outcomes[5].get(index: 5) }
            #expect(thrown?.index == 5)
            // The implicit transaction rolled back the first five too.
            #expect(try await connection.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0) == 0)
            // And the connection carries on.
            let again = try await connection.pipeline(["INSERT INTO t VALUES (\(Int32(1)))"])
            guard case .success = again[0] else { Issue.record("connection should be usable"); return }
        }
    }

    @Test func copyIsRefusedInsidePipeline() async throws {
        let connection = try await TestDatabase.connect()
        let error = await #expect(throws: ConnectionError.self) {
            try await connection.pipeline(["SELECT 1", "COPY (SELECT 1) TO STDOUT"])
        }
        #expect(error?.code == .invalidUsage)
        #expect(try await connection.query("SELECT 2")[0].decode(Int32.self, at: 0) == 2)
        await connection.close()
    }

    @Test func encodingErrorIsReportedWithIndexBeforeSending() async throws {
        let connection = try await TestDatabase.connect()
        let error = await #expect(throws: PipelineError.self) {
            try await connection.pipeline(["SELECT \("ok")", "SELECT \("nul\u{0}")"])
        }
        #expect(error?.index == 1)
        await connection.close()
    }
}

/// A statement that fails while it is being prepared (a typo, an unknown table or column) reports
/// the server's error, not "aborted": in the first statement of a session, in a plain pipeline,
/// and in the flush replay that names the failing change.
@Suite struct PipelinePrepareErrorTests {
    struct Gadget: Model {
        static let tableName = "gadgets"
        var id: Int64?
        var name: String
        var colour: String  // the table has no such column
    }

    @Test func anUnknownTableInAPipelineCarriesItsSQLState() async throws {
        let connection = try await TestDatabase.connect()
        let outcomes = try await connection.pipeline(["SELECT 1", "SELECT * FROM tusk_no_such_table", "SELECT 2"])
        guard case .success = outcomes[0] else { Issue.record("the first statement ran"); return }
        guard case .failure(let error) = outcomes[1] else { Issue.record("expected the prepare error, got \(outcomes[1])"); return }
        #expect(error.sqlState == .undefinedTable)
        #expect(error.message.contains("tusk_no_such_table"))
        guard case .aborted = outcomes[2] else { Issue.record("the last statement was aborted"); return }
        await connection.close()
    }

    @Test func theFirstStatementOfASessionReportsTheServerErrorForTablesColumnsAndSyntax() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { try await $0.execute("CREATE TABLE things (id int)") }
            let cases: [(SQL, SQLState)] = [
                ("SELECT * FROM tusk_no_such_table", .undefinedTable),
                ("SELECT tusk_no_such_column FROM things", .undefinedColumn),
                ("SELEC 1", .syntaxError),
            ]
            for (sql, expected) in cases {
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.withSession { session in try await session.execute(sql) }
                }
                #expect(error?.sqlState == expected, "\(sql.text)")
            }
        }
    }

    @Test func theFlushReplayNamesTheChangeWithTheServersError() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE gadgets (id bigserial PRIMARY KEY, name text NOT NULL)") }
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    session.add(Gadget(id: nil, name: "a", colour: "red"))
                    session.add(Gadget(id: nil, name: "b", colour: "blue"))
                    try await session.flush()
                }
            }
            #expect(error?.code == .flushFailed)
            #expect(error?.changeIndex == 0)
            #expect(error?.serverError?.sqlState == .undefinedColumn, "\(String(describing: error))")
            #expect(try await TestDatabase.count("gadgets", in: schema) == 0)
        }
    }
}
