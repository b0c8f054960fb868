import Testing
@testable import Tusk

@Suite struct FlushPlanTests {
    struct Account: Model {
        static let tableName = "accounts"
        static let schemaName: String? = "bank"
        static let serverGenerated: Set<String> = ["id", "opened_at"]
        var id: Int64?
        var ownerName: String
        var balance: Int64
        var openedAt: Int64?
    }

    func write(_ kind: PendingWrite.Kind, _ account: Account, key: [EncodedRow.Field] = []) throws -> PendingWrite {
        let row = try EncodedRow(encoding: account)
        return PendingWrite(kind: kind, table: Account.tableSQL, entity: Account.entityName, fields: row.fields,
                            key: key, serverGenerated: Account.serverGenerated, complete: { _ in })
    }

    @Test func insertLeavesNilServerColumnsToTheServer() throws {
        let sql = FlushPlan.statement(for: try write(.insert, Account(id: nil, ownerName: "Ada", balance: 10, openedAt: nil)))
        #expect(sql.text == #"INSERT INTO "bank"."accounts" ("owner_name", "balance") VALUES ($1, $2) RETURNING *"#)
        #expect(sql.bindings.types == [.text, .int8])
    }

    @Test func insertKeepsServerColumnsThatAreSet() throws {
        let sql = FlushPlan.statement(for: try write(.insert, Account(id: 7, ownerName: "Ada", balance: 10, openedAt: nil)))
        #expect(sql.text == #"INSERT INTO "bank"."accounts" ("id", "owner_name", "balance") VALUES ($1, $2, $3) RETURNING *"#)
    }

    @Test func updateSetsTheGivenFieldsWhereTheKeyMatches() throws {
        let account = Account(id: 7, ownerName: "Ada", balance: 10, openedAt: nil)
        let row = try EncodedRow(encoding: account)
        let key = try Account.keyFields(of: row)
        let changed = row.fields.filter { $0.column == "balance" }
        let update = PendingWrite(kind: .update, table: Account.tableSQL, entity: "accounts", fields: changed, key: key,
                                  serverGenerated: [], complete: { _ in })
        #expect(FlushPlan.statement(for: update).text == #"UPDATE "bank"."accounts" SET "balance" = $1 WHERE "id" = $2 RETURNING *"#)
        let delete = PendingWrite(kind: .delete, table: Account.tableSQL, entity: "accounts", fields: [], key: key,
                                  serverGenerated: [], complete: { _ in })
        #expect(FlushPlan.statement(for: delete).text == #"DELETE FROM "bank"."accounts" WHERE "id" = $1"#)
    }

    @Test func ordersInsertsThenUpdatesThenDeletes() throws {
        let insert = try write(.insert, Account(id: nil, ownerName: "a", balance: 1, openedAt: nil))
        let update = try write(.update, Account(id: 1, ownerName: "b", balance: 1, openedAt: nil))
        let delete = try write(.delete, Account(id: 2, ownerName: "c", balance: 1, openedAt: nil))
        let ordered = FlushPlan.order(inserts: [insert, insert], updates: [update], deletes: [delete])
        #expect(ordered.map(\.kind) == [.insert, .insert, .update, .delete])
    }

    @Test func nullKeyPartsMatchWithIsNull() {
        let key = [EncodedRow.Field(column: "a", key: "a", type: .int8, bytes: nil),
                   EncodedRow.Field(column: "b", key: "b", type: .int8, bytes: [0, 0, 0, 0, 0, 0, 0, 1])]
        #expect(FlushPlan.keyCondition(key).text == #""a" IS NULL AND "b" = $1"#)
    }

    @Test func runsOfSameShapedWritesBecomeSetBasedStatements() throws {
        let inserts = try (0..<3).map { try write(.insert, Account(id: nil, ownerName: "n\($0)", balance: 1, openedAt: nil)) }
        let keyed = try (1...2).map { id -> PendingWrite in
            let row = try EncodedRow(encoding: Account(id: Int64(id), ownerName: "x", balance: 5, openedAt: nil))
            return PendingWrite(kind: .update, table: Account.tableSQL, entity: "accounts",
                                fields: row.fields.filter { $0.column == "balance" }, key: try Account.keyFields(of: row),
                                serverGenerated: [], complete: { _ in })
        }
        let deletes = keyed.map { PendingWrite(kind: .delete, table: $0.table, entity: "accounts", fields: [], key: $0.key,
                                               serverGenerated: [], complete: { _ in }) }
        let plan = FlushPlan.statements(for: inserts + keyed + deletes)
        #expect(plan.map(\.shape) == [.inserts([0, 1, 2]), .updates([3, 4]), .deletes([5, 6])])
        #expect(squeezed(plan[0].sql.text) == #"INSERT INTO "bank"."accounts" ("owner_name", "balance") SELECT u.c1, u.c2 FROM unnest($1::text[], $2::int8[]) WITH ORDINALITY AS u(c1, c2, tusk_ordinality) ORDER BY u.tusk_ordinality RETURNING *"#)
        #expect(plan[0].sql.bindings.count == 2, "one array per column, whatever the row count")
        #expect(plan[1].sql.text.contains(#"SET "balance" = s.c2"#))
        #expect(plan[1].sql.text.hasSuffix("RETURNING s.tusk_ordinality, tusk_target.*"))
        #expect(squeezed(plan[2].sql.text) == #"DELETE FROM "bank"."accounts" AS tusk_target USING unnest($1::int8[]) AS s(c1) WHERE tusk_target."id" = s.c1"#)
    }

    @Test func singleWritesAndUnnameableTypesStayOneStatementEach() throws {
        let one = try write(.insert, Account(id: nil, ownerName: "a", balance: 1, openedAt: nil))
        let other = try write(.insert, Account(id: 5, ownerName: "b", balance: 1, openedAt: nil))  // different columns
        #expect(FlushPlan.statements(for: [one, other]).map(\.shape) == [.single(0), .single(1)])
    }

    /// The text with runs of white space folded to one space.
    func squeezed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

@Suite struct FlushPlanColumnTypeTests {
    typealias Account = FlushPlanTests.Account

    let plans = [
        #""bank"."accounts""#: TableEncodingPlan(
            table: "bank.accounts",
            columns: ["id": column("id", .int4, sql: "integer"), "owner_name": column("owner_name", .varchar, sql: "character varying(20)", baseSQL: "character varying"),
                      "balance": column("balance", .int2, sql: "smallint"), "opened_at": column("opened_at", .int8, sql: "bigint")],
            timeZone: .utc, path: .unnest),
    ]

    func write(_ kind: PendingWrite.Kind, _ account: Account) throws -> PendingWrite {
        let row = try EncodedRow(encoding: account)
        return PendingWrite(kind: kind, table: Account.tableSQL, entity: Account.entityName,
                            fields: kind == .insert ? row.fields : row.fields.filter { $0.column != "id" },
                            key: kind == .insert ? [] : try Account.keyFields(of: row), serverGenerated: Account.serverGenerated,
                            complete: { _ in })
    }

    @Test func batchesSendArraysOfTheColumnsOwnTypes() throws {
        let writes = try [write(.insert, Account(id: nil, ownerName: "a", balance: 1, openedAt: nil)),
                          write(.insert, Account(id: nil, ownerName: "b", balance: 2, openedAt: nil))]
        let statements = FlushPlan.statements(for: writes, encodings: plans)
        #expect(statements.count == 1)
        #expect(statements[0].sql.text.contains("unnest($1::character varying[], $2::smallint[])"), "\(statements[0].sql.text)")
        #expect(statements[0].sql.bindings.encodingError == nil)
        let arrays = statements[0].sql.bindings.fields
        #expect(arrays[1].bytes?[8..<12] == [0, 0, 0, 21], "the array header names int2")
        #expect(FlushPlan.statements(for: writes)[0].sql.text.contains("$2::int8[]"), "without column types, as before")
    }

    @Test func updateKeysAreConvertedToo() throws {
        let writes = try [write(.update, Account(id: 1, ownerName: "a", balance: 1, openedAt: 5)),
                          write(.update, Account(id: 2, ownerName: "b", balance: 2, openedAt: 6))]
        let sql = FlushPlan.statements(for: writes, encodings: plans)[0].sql
        #expect(sql.text.contains("unnest($1::integer[], $2::character varying[], $3::smallint[], $4::bigint[])"), "\(sql.text)")
    }

    @Test func aValueThatDoesNotFitMakesTheBatchUnsendable() throws {
        let writes = try [write(.insert, Account(id: nil, ownerName: "a", balance: 1, openedAt: nil)),
                          write(.insert, Account(id: nil, ownerName: "b", balance: 40_000, openedAt: nil))]
        let sql = FlushPlan.statements(for: writes, encodings: plans)[0].sql
        let error = try #require(sql.bindings.encodingError)
        #expect(error.code == .outOfRange)
        #expect(error.column == "balance")
        #expect(error.columnType == "smallint")
        #expect(error.message.contains("row 2"))
        #expect(throws: PostgresEncodingError.self) { try sql.validate() }
    }

    @Test func batchedTablesAreTheOnesWithRunsOfTwoOrMore() throws {
        let one = try write(.insert, Account(id: nil, ownerName: "a", balance: 1, openedAt: nil))
        #expect(FlushPlan.batchedTables([one]).isEmpty)
        #expect(FlushPlan.batchedTables([one, one]) == [#""bank"."accounts""#])
    }
}
