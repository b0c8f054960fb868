import Testing
@testable import Tusk

/// The one statement of `getOrUpsert`, for each kind of update, without a server.
@Suite struct GetOrUpsertStatementTests {
    @Test func statements() throws {
        let member = Member(id: nil, displayName: "Ada", email: "ada@example.com", createdAt: nil)
        let fields = try EncodedRow(encoding: member, keyMapping: Member.keyMapping).fields
        let update = try Repository<Member>.UpsertPlan(matching: [\Member.email], update: .allColumns, condition: nil)
        #expect(Repository<Member>.upsertRowStatement(fields, plan: update).text == """
            INSERT INTO "members" ("display_name", "email_address") VALUES ($1, $2) ON CONFLICT ("email_address") \
            DO UPDATE SET "display_name" = EXCLUDED."display_name" RETURNING *, (xmax = 0) AS tusk_created
            """, "the server-generated columns left out are not overwritten either")
        let nothing = try Repository<Member>.UpsertPlan(matching: [\Member.email], update: .nothing, condition: nil)
        let sql = Repository<Member>.upsertRowStatement(fields, plan: nothing)
        #expect(sql.text == """
            WITH tusk_inserted AS (INSERT INTO "members" ("display_name", "email_address") VALUES ($1, $2) \
            ON CONFLICT ("email_address") DO NOTHING RETURNING *) SELECT *, true AS tusk_created FROM tusk_inserted \
            UNION ALL SELECT *, false AS tusk_created FROM "members" WHERE "email_address" = $3 \
            AND NOT EXISTS (SELECT 1 FROM tusk_inserted)
            """)
        #expect(sql.bindings.count == 3)
    }
}
