import Testing
import Tusk
import TuskTestSupport

@Suite struct GetOrUpsertTests {
    @Test func createsThenFindsAndUpdates() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let tags = pool.autocommit.repository(Tag.self)
            let first = try await tags.getOrUpsert(Tag(id: nil, name: "swift", uses: 1), matching: [\.name])
            #expect(first.created)
            #expect(first.model.uses == 1 && first.model.id != nil)
            let second = try await tags.getOrUpsert(Tag(id: nil, name: "swift", uses: 5), matching: [\.name])
            #expect(!second.created)
            #expect(second.model.id == first.model.id)
            #expect(second.model.uses == 5, "upserted: the existing row takes the new values")
            #expect(try await TestDatabase.count("tags", in: schema) == 1)
        }
    }

    @Test func nothingLeavesTheExistingRowAsItIs() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let tags = pool.autocommit.repository(Tag.self)
            let first = try await tags.getOrUpsert(Tag(id: nil, name: "swift", uses: 1), matching: [\.name], update: .nothing)
            #expect(first.created)
            let xmin = try await pool.withConnection { try await $0.query("SELECT xmin::text FROM tags")[0].decode(String.self, at: 0) }
            let again = try await tags.getOrUpsert(Tag(id: nil, name: "swift", uses: 9), matching: [\.name], update: .nothing)
            #expect(!again.created)
            #expect(again.model == first.model, "got, not updated")
            let after = try await pool.withConnection { try await $0.query("SELECT xmin::text FROM tags")[0].decode(String.self, at: 0) }
            #expect(after == xmin, "no new row version was written")
            #expect(try await TestDatabase.count("tags", in: schema) == 1)
        }
    }

    @Test func eachCallIsOneStatementInOneRoundTrip() async throws {
        try await UniqueSchema.withBlog { pool, _ in
            try await pool.withSession { session in
                let tags = session.repository(Tag.self)
                _ = try await session.scalar("SELECT 1", as: Int.self)   // the BEGIN travels with it
                for update in [Repository<Tag>.UpsertUpdate.allColumns, .nothing] {
                    for attempt in 0..<3 {   // creating, then finding
                        let before = await session.statistics
                        _ = try await tags.getOrUpsert(Tag(id: nil, name: "swift"), matching: [\.name], update: update)
                        let after = await session.statistics
                        #expect(after.statements - before.statements == 1)
                        // The first use of a statement's text also prepares it.
                        if attempt > 0 { #expect(after.roundTrips - before.roundTrips == 1) }
                    }
                }
            }
        }
    }

    /// citext's unique index sees `Swift` and `swift` as one key, but `=` with a text value does
    /// not: get-or-create cannot read the conflicting row back, and says so instead of looping.
    @Test func aUniqueIndexThatComparesDifferentlyIsATypedErrorNotALoop() async throws {
        try await TestDatabase.withPool { pool, schema in
            // The extension is the database's, shared with other suites: installed once, in public.
            let installed = try await TestDatabase.installedCitextSchema(pool)
            guard let installed else { return }  // citext is not available on this server: nothing to test
            try await pool.withConnection {
                try await $0.executeScript("""
                    CREATE TABLE tags (id bigserial PRIMARY KEY, name \(ident: installed, "citext") NOT NULL UNIQUE, uses int NOT NULL DEFAULT 0);
                    INSERT INTO tags (name) VALUES ('Swift')
                    """)
            }
            let error = await #expect(throws: RepositoryError.self) {
                try await pool.autocommit.repository(Tag.self).getOrUpsert(Tag(id: nil, name: "swift"), matching: [\.name], update: .nothing)
            }
            #expect(error?.code == .unsupported)
            let count = try await TestDatabase.count("tags", in: schema)
            #expect(count == 1)
        }
    }

    @Test func aMatchThatIsNotUniqueIsATypedError() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            for update in [Repository<Tag>.UpsertUpdate.allColumns, .nothing] {
                let error = await #expect(throws: RepositoryError.self) {
                    try await pool.autocommit.repository(Tag.self).getOrUpsert(Tag(id: nil, name: "swift", uses: 1), matching: [\.uses],
                                                                                update: update)
                }
                #expect(error?.code == .notUnique)
                #expect(error?.message.contains("(uses)") == true)
            }
            let left = try await TestDatabase.count("tags", in: schema)
            #expect(left == 0)
        }
    }

    /// Sixteen callers, each in its own transaction, racing for one key: one row, one creator,
    /// and every caller's transaction still usable afterwards.
    @Test(arguments: [false, true])
    func sixteenConcurrentCallersShareOneRowAndOneCreates(getOnly: Bool) async throws {
        try await UniqueSchema.withBlog(max: 16) { pool, schema in
            let barrier = Barrier(parties: 16)
            let results = try await withThrowingTaskGroup(of: (id: Int64?, created: Bool).self) { group in
                for index in 0..<16 {
                    group.addTask {
                        try await pool.withSession { session in
                            let update: Repository<Tag>.UpsertUpdate = getOnly ? .nothing : .allColumns
                            await barrier.arrive()
                            let result = try await session.repository(Tag.self)
                                .getOrUpsert(Tag(id: nil, name: "swift", uses: Int32(index)), matching: [\.name], update: update)
                            // The transaction was not aborted by a unique violation.
                            #expect(try await session.scalar("SELECT count(*) FROM tags WHERE name = 'swift'", as: Int.self) == 1)
                            return (result.model.id, result.created)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 16)
            #expect(results.filter(\.created).count == 1, "exactly one caller created the row")
            #expect(Set(results.map(\.id)).count == 1, "every caller got the same row")
            #expect(try await TestDatabase.count("tags", in: schema) == 1)
        }
    }
}
