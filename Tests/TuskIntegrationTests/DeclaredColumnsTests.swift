import Foundation
import Testing
import TuskModel

/// A `@Model` model with renamed columns is read positionally and written column by column, on
/// the declared names, by every repository path — with a decoy column named like each property,
/// which a wrong mapping would hit.
@Suite struct DeclaredColumnsTests {
    struct Prefs: Codable, Sendable, Equatable { var theme: String }
    enum Tier: String, Codable, Sendable { case free, paid }  // not PostgresCodable: the Codable fallback

    @Model(table: "members")
    struct Member: Equatable {
        @ID @ServerDefault @Column("member_id") var id: Int64?
        @Column("email_address") var email: String
        @Column("member_rank") var rank: Int32
        @Column("tier_name") var tier: Tier
        @JSON @Column("preferences") var prefs: Prefs?
        @Transient var cached: Int = 0

        init(id: Int64? = nil, email: String, rank: Int32, tier: Tier = .free, prefs: Prefs? = nil) {
            (self.id, self.email, self.rank, self.tier, self.prefs) = (id, email, rank, tier, prefs)
        }
    }

    /// Renamed through `CodingKeys`: the macro reads the raw values, as the `Codable` path does.
    @Model(table: "coded_members")
    struct CodedMember {
        @ID @ServerDefault var id: Int64?
        var email: String
        var rank: Int32

        enum CodingKeys: String, CodingKey {
            case id = "member_id"
            case email = "email_address"
            case rank = "member_rank"
        }
    }

    static let createMembers = """
        CREATE TABLE members (
            decoy_first text,
            member_id bigserial PRIMARY KEY, email_address text NOT NULL UNIQUE, member_rank int NOT NULL,
            tier_name text NOT NULL, preferences jsonb,
            id bigint, email text, rank int, tier text, prefs jsonb, cached int)
        """

    func withMembers(_ body: (ConnectionPool) async throws -> Void) async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { try await $0.execute(SQL(stringLiteral: Self.createMembers)) }
            try await body(pool)
            // Nothing ever touched a column named like a property.
            let decoys = try await pool.withConnection {
                try await $0.query("""
                    SELECT count(*) FROM members WHERE coalesce(id::text, email, rank::text, tier, prefs::text,
                        cached::text, decoy_first) IS NOT NULL
                    """)[0].decode(Int.self, at: 0)
            }
            #expect(decoys == 0)
        }
    }

    @Test func everyRepositoryPathReadsAndWritesTheDeclaredColumns() async throws {
        try await withMembers { pool in
            let members = pool.autocommit.repository(Member.self)
            let added = try await members.add(Member(email: "a@x", rank: 1, tier: .paid, prefs: Prefs(theme: "dark")))
            #expect(added.id != nil && added.tier == .paid && added.prefs == Prefs(theme: "dark"))
            #expect(try await members.get(id: added.id) == added)
            #expect(try await members.addMany((2...4).map { Member(email: "u\($0)@x", rank: Int32($0)) }) == 3)
            let returned = try await members.addMany([Member(email: "r@x", rank: 9)], returning: \.self)
            #expect(returned.first?.email == "r@x" && returned.first?.id != nil)
            #expect(try await members.list(where: \.rank >= 2, orderBy: [.desc(\.rank)]).map(\.rank) == [9, 4, 3, 2])
            #expect(try await members.count(where: .contains(\.email, "u")) == 3)
            #expect(try await members.updateWhere(\.email == "u2@x", set: [.set(\.rank, 20)]) == 1)
            #expect(try await members.getOne(where: \.rank == 20).email == "u2@x")
            var changed = try await members.getOne(where: \.email == "u3@x")
            changed.tier = .paid
            changed.prefs = Prefs(theme: "light")
            #expect(try await members.update(changed) == changed, "update returns the row as stored")
            #expect(try await members.upsert(Member(email: "a@x", rank: 100), matching: [\.email])?.rank == 100)
            #expect(try await members.upsertMany([Member(email: "u4@x", rank: 40), Member(email: "n@x", rank: 5)],
                                                 matching: [\.email]) == 2)
            let (fetched, created) = try await members.getOrUpsert(Member(email: "n@x", rank: 6), matching: [\.email], update: .nothing)
            #expect(!created && fetched.rank == 5)
            let all = try await members.list(orderBy: [.asc(\.email)])
            #expect(try await members.updateMany(all.map { var m = $0; m.rank += 1; return m }) == all.count)
            #expect(try await members.list(orderBy: [.asc(\.email)]).map(\.rank) == all.map { $0.rank + 1 })
        }
    }

    @Test func theSessionFlushStreamAndExportUseTheDeclaredColumns() async throws {
        try await withMembers { pool in
            try await pool.withSession { session in
                let members = session.repository(Member.self)
                let a = session.add(Member(email: "a@x", rank: 1))
                let b = session.add(Member(email: "b@x", rank: 2))
                try await session.flush()
                let bID = try #require(try b.get().id as Int64?)
                var loaded = try #require(try await members.get(id: bID))
                loaded.rank = 22
                session.update(loaded)
                session.delete(try a.get())
                try await session.flush()
                var streamed: [Member] = []
                for try await member in try members.export(orderBy: [.asc(\.email)]) { streamed.append(member) }
                #expect(streamed.map(\.email) == ["b@x"] && streamed.map(\.rank) == [22])
                let raw = try await session.query("SELECT * FROM members").decode(Member.self)
                #expect(raw.map(\.email) == ["b@x"], "a SELECT * matches the declared columns by name")
            }
        }
    }

    @Test func codingKeysNameTheColumnsOfAMacroModel() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection {
                try await $0.execute("""
                    CREATE TABLE coded_members (member_id bigserial PRIMARY KEY, email_address text NOT NULL,
                        member_rank int NOT NULL, id bigint, email text, rank int)
                    """)
            }
            let members = pool.autocommit.repository(CodedMember.self)
            try await members.add(CodedMember(email: "c@x", rank: 3))
            #expect(CodedMember.modelColumns?.map(\.name) == ["member_id", "email_address", "member_rank"])
            #expect(try await members.getOne(where: \.email == "c@x").rank == 3)
            #expect(try await members.updateWhere(\.rank == 3, set: [.increment(\.rank, by: 1)]) == 1)
            #expect(try await members.list(orderBy: [.desc(\.rank)]).map(\.rank) == [4])
            let decoys = try await pool.withConnection {
                try await $0.query("SELECT count(*) FROM coded_members WHERE coalesce(id::text, email, rank::text) IS NOT NULL")[0]
                    .decode(Int.self, at: 0)
            }
            #expect(decoys == 0)
        }
    }
}
