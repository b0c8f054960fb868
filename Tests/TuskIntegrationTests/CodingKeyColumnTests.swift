import Testing
import Tusk

/// A model whose CodingKeys rename columns reads, filters, orders and updates the renamed
/// columns, never the property names.
@Suite struct CodingKeyColumnTests {
    struct Member: Model {
        static let tableName = "members"
        var id: Int64?
        var email: String
        var rank: Int32

        enum CodingKeys: String, CodingKey {
            case id
            case email = "email_address"
            case rank = "member_rank"
        }
    }

    @Test func filtersOrdersAndAssignmentsHitTheRenamedColumns() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { connection in
                // A decoy column named like the property: the wrong mapping would hit it.
                try await connection.execute("CREATE TABLE members (id bigserial PRIMARY KEY, email_address text NOT NULL, member_rank int NOT NULL, email text)")
            }
            let members = pool.autocommit.repository(Member.self)
            for (email, rank) in [("b@x.org", 2), ("a@x.org", 1), ("c@x.org", 3)] {
                try await members.add(Member(id: nil, email: email, rank: Int32(rank)))
            }
            let ordered = try await members.list(orderBy: [.desc(\.rank)])
            #expect(ordered.map(\.email) == ["c@x.org", "b@x.org", "a@x.org"])
            #expect(try await members.getOne(where: \.email == "a@x.org").rank == 1)
            #expect(try await members.updateWhere(\.email == "a@x.org", set: [.set(\.rank, 10)]) == 1)
            #expect(try await members.getOne(where: \.rank == 10).email == "a@x.org")
            let decoy = try await pool.withConnection { try await $0.query("SELECT count(*) FROM members WHERE email IS NOT NULL")[0].decode(Int.self, at: 0) }
            #expect(decoy == 0)
        }
    }
}
