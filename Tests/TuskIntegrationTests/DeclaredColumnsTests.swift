import Foundation
import Testing
import Tusk

/// A model that declares its columns (what `@Model` generates, written by hand here) is read
/// positionally and written column by column, on the declared names, by every repository path —
/// with a decoy column named like each property, which a wrong mapping would hit.
@Suite struct DeclaredColumnsTests {
    struct Prefs: Codable, Sendable, Equatable { var theme: String }
    enum Tier: String, Codable, Sendable { case free, paid }  // not PostgresCodable: the Codable fallback

    struct Member: Model, Equatable {
        static let tableName = "members"
        static let serverGenerated: Set<String> = ["member_id"]
        static let primaryKey = ["member_id"]
        var id: Int64?
        var email: String
        var rank: Int32
        var tier: Tier
        var prefs: Prefs?
        var cached = 0

        static var modelColumns: [ModelColumn<Member>]? {
            [
                ModelColumn("member_id", property: "id", keyPath: \Member.id),
                ModelColumn("email_address", property: "email", keyPath: \Member.email),
                ModelColumn("member_rank", property: "rank", keyPath: \Member.rank),
                ModelColumn("tier_name", property: "tier", keyPath: \Member.tier),
                ModelColumn("preferences", property: "prefs", keyPath: \Member.prefs),
            ]
        }
        static var keyMapping: KeyMapping { .useKeys }

        init(id: Int64? = nil, email: String, rank: Int32, tier: Tier = .free, prefs: Prefs? = nil) {
            (self.id, self.email, self.rank, self.tier, self.prefs) = (id, email, rank, tier, prefs)
        }

        init(modelRow reader: inout ModelRowReader) throws {
            id = try reader.next(Int64?.self)
            email = try reader.next(String.self)
            rank = try reader.next(Int32.self)
            tier = try reader.next(Tier.self)
            prefs = try reader.nextJSON(Prefs?.self)
        }

        func encodeModelRow<Writer: ModelRowWriter>(into writer: inout Writer) throws {
            try writer.encode(id, column: "member_id")
            try writer.encode(email, column: "email_address")
            try writer.encode(rank, column: "member_rank")
            try writer.encode(tier, column: "tier_name")
            try writer.encodeJSON(prefs, column: "preferences")
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
}
