import Foundation
import Testing
import Tusk
import TuskTestSupport

/// Returning deletes and updates, assignment expressions, audit columns and optimistic locking,
/// against the real server.
@Suite struct WritesTests {
    // MARK: - Returning rows

    @Test func deletesReturnTheRowsAndTheSessionForgetsExactlyThose() async throws {
        try await StorySchema.withPool { pool, schema in
            try await pool.withSession { session in
                let stories = session.repository(Story.self)
                for index in 1...4 { try await stories.add(Story(id: nil, slug: "s\(index)", title: "T\(index)", views: Int32(index))) }
                #expect(session.identityMapCount == 4)
                let removed = try await stories.deleteWhere(\.views >= 3, returning: \.self)
                #expect(Set(removed.map(\.slug)) == ["s3", "s4"])
                #expect(removed.allSatisfy { $0.createdAt != nil })
                #expect(session.identityMapCount == 2, "the deleted rows are forgotten, the others kept")
                let ids = try await stories.list(orderBy: [.asc(\.id)]).compactMap(\.id)
                let slugs = try await stories.deleteMany(ids: ids + [999_999], returning: \.slug)
                #expect(Set(slugs) == ["s1", "s2"], "a missing id is absent from the result")
                #expect(try await stories.get(id: ids[0]) == nil)
                #expect(session.identityMapCount == 0)
            }
            #expect(try await TestDatabase.count("stories", in: schema) == 0)
        }
    }

    @Test func softDeletesReturnTheMarkedRows() async throws {
        try await StorySchema.withPool { pool, schema in
            try await pool.withSession { session in
                let author = try await session.repository(Author.self).add(Author(id: nil, name: "Ada", email: "ada@x.org"))
                let posts = session.repository(Post.self)
                var ids: [Int64] = []
                for title in ["a", "b", "c"] {
                    ids.append(try await posts.add(Post(id: nil, authorID: author.id ?? 0, title: title, body: "")).id ?? 0)
                }
                let marked = try await posts.deleteWhere(\.title == "a", returning: \.self)
                #expect(marked.map(\.title) == ["a"])
                #expect(marked.first?.deletedAt != nil, "a soft delete returns the row as marked")
                let many = try await posts.deleteMany(ids: ids, returning: \.self)
                #expect(Set(many.map(\.title)) == ["b", "c"], "an already-marked row is not deleted again")
                #expect(try await posts.deleteWhere(.all, returning: \.id).isEmpty)
                #expect(try await posts.count() == 0)
                #expect(try await posts.count(includeDeleted: true) == 3)
            }
            #expect(try await TestDatabase.count("posts", in: schema) == 3, "marked, not removed")
        }
    }

    @Test func updateWhereReturnsAndRemembersTheUpdatedRows() async throws {
        try await StorySchema.withPool { pool, _ in
            try await pool.withSession { session in
                let stories = session.repository(Story.self)
                let first = try await stories.add(Story(id: nil, slug: "a", title: "A", views: 10))
                try await stories.add(Story(id: nil, slug: "b", title: "B", views: 20))
                let bumped = try await stories.updateWhere(\.slug == "a", set: [.increment(\.views, by: 5)], returning: \.self)
                #expect(bumped.map(\.views) == [15])
                #expect(bumped.first?.version == 2)
                let before = await session.statistics
                #expect(try await stories.get(id: first.id ?? 0)?.views == 15, "remembered: read without a query")
                #expect(await session.statistics.roundTrips == before.roundTrips)
                #expect(try await stories.updateWhere(\.slug == "a", set: [.set(\.title, "A2")]) == 1, "the count stays")
            }
        }
    }

    // MARK: - Assignment expressions

    @Test func expressionsInUpdatesAndUpserts() async throws {
        try await StorySchema.withPool { pool, schema in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@x.org"))
                let posts = session.repository(Post.self)
                let post = try await posts.add(Post(id: nil, authorID: ada.id ?? 0, title: "Hello", body: "", views: 1))
                try await posts.updateWhere(\.id == post.id, set: [.increment(\.views, by: 2), .now(\.publishedAt)])
                let read = try await posts.get(id: post.id ?? 0)
                #expect(read?.views == 3)
                #expect(read?.publishedAt != nil)
                try await posts.updateWhere(\.id == post.id, set: [.unsafeSQL("views", "views * \(Int32(10))")])
                #expect(try await posts.get(id: post.id ?? 0)?.views == 30)

                let before = await session.statistics
                await #expect(throws: RepositoryError.self) {
                    try await posts.updateWhere(\.id == post.id, set: [.excluded(\.title)])
                }
                #expect(await session.statistics.statements == before.statements, "refused before anything was sent")

                // Upsert: the title from the proposed row, views counted up on the existing one.
                let update: Repository<Author>.UpsertUpdate = .columns([\.name]) + [.set(\.active, false)]
                let again = try await authors.upsert(Author(id: nil, name: "Ada L.", email: "ada@x.org"), matching: [\.email], update: update)
                #expect(again?.id == ada.id)
                #expect(again?.name == "Ada L.")
                #expect(again?.active == false)
            }
            #expect(try await TestDatabase.count("authors", in: schema, where: "active = false") == 1)
        }
    }

    @Test func upsertManyWithAnIncrement() async throws {
        try await StorySchema.withPool { pool, _ in
            try await pool.withSession { session in
                let stories = session.repository(Story.self)
                let seed = (1...3).map { Story(id: nil, slug: "s\($0)", title: "T\($0)", views: 1) }
                #expect(try await stories.upsertMany(seed, matching: [\.slug]) == 3)
                let hits = (1...5).map { Story(id: nil, slug: "s\($0)", title: "new", views: 1) }
                let affected = try await stories.upsertMany(hits, matching: [\.slug],
                                                             update: .assignments([.increment(\.views, by: 1), .excluded(\.title)]))
                #expect(affected == 5)
                let stored = try await stories.list(orderBy: [.asc(\.slug)])
                #expect(stored.map(\.views) == [2, 2, 2, 1, 1])
                #expect(stored.allSatisfy { $0.title == "new" })
                #expect(stored.map(\.version) == [2, 2, 2, 1, 1])
            }
        }
    }

    // MARK: - Audit columns

    /// The stored timestamps of the story with `slug`, read by another client.
    func stamps(_ slug: String, in schema: String) async throws -> (created: Date, updated: Date, version: Int64) {
        let observer = try await TestDatabase.connect(schema: schema)
        defer { Task { await observer.close() } }
        let row = try await observer.query("SELECT created_at, updated_at, version FROM stories WHERE slug = \(slug)")[0]
        return (try row.decode(Date.self, at: 0), try row.decode(Date.self, at: 1), try row.decode(Int64.self, at: 2))
    }

    @Test func updatedAtAdvancesOnEveryUpdatePath() async throws {
        try await StorySchema.withPool { pool, schema in
            let inserted = try await pool.withSession { session in
                try await session.repository(Story.self).add(Story(id: nil, slug: "a", title: "A"))
            }
            let created = try #require(inserted.createdAt)
            #expect(inserted.updatedAt == created, "both stamped with the insert's now()")
            var last = try await stamps("a", in: schema)
            #expect(abs(last.created.timeIntervalSince(created)) < 0.001, "the returned model carries the stored time")

            // Each path in a transaction of its own: now() is the transaction's start.
            let id = try #require(inserted.id)
            let paths: [(String, (Repository<Story>, Session) async throws -> Story?)] = [
                ("update(_:)", { stories, _ in
                    var story = try #require(try await stories.get(id: id))
                    story.title = "B"
                    return try await stories.update(story)
                }),
                ("update(id:set:)", { stories, _ in try await stories.update(id: id, set: [.set(\.title, "C")]) }),
                ("updateWhere", { stories, _ in
                    try await stories.updateWhere(\.slug == "a", set: [.set(\.title, "D")], returning: \.self).first
                }),
                ("updateWhere count", { stories, _ in
                    _ = try await stories.updateWhere(\.slug == "a", set: [.set(\.title, "D2")])
                    return nil
                }),
                ("updateMany", { stories, _ in
                    var story = try #require(try await stories.get(id: id))
                    story.title = "E"
                    _ = try await stories.updateMany([story])
                    return nil
                }),
                ("upsert", { stories, _ in
                    try await stories.upsert(Story(id: nil, slug: "a", title: "F"), matching: [\.slug])
                }),
                ("upsertMany", { stories, _ in
                    _ = try await stories.upsertMany([Story(id: nil, slug: "a", title: "G")], matching: [\.slug])
                    return nil
                }),
                ("flush", { stories, session in
                    var story = try #require(try await stories.get(id: id))
                    story.title = "H"
                    session.update(story)
                    try await session.flush()
                    return try await stories.get(id: id)
                }),
                ("getOrUpsert", { stories, _ in
                    try await stories.getOrUpsert(Story(id: nil, slug: "a", title: "I"), matching: [\.slug]).model
                }),
                ("service update", { _, session in
                    struct Retitle: Encodable { var title: String }
                    return try await RepositoryService<Story>(pool: pool).bound(to: session).update(id: id, with: Retitle(title: "J"))
                }),
            ]
            for (name, path) in paths {
                let returned = try await pool.withSession { session in try await path(session.repository(Story.self), session) }
                let now = try await stamps("a", in: schema)
                #expect(now.updated > last.updated, "\(name) advances updated_at")
                #expect(now.created == last.created, "\(name) keeps created_at")
                #expect(now.version == last.version + 1, "\(name) increments the version")
                if let returned {
                    #expect(abs((returned.updatedAt ?? .distantPast).timeIntervalSince(now.updated)) < 0.001,
                            "\(name) returns the stored updated_at")
                    #expect(returned.version == now.version, "\(name) returns the new version")
                }
                last = now
            }
            #expect(last.version == 11)
        }
    }

    @Test func everyInsertPathStampsNilTimestamps() async throws {
        try await StorySchema.withPool { pool, schema in
            let (copied, returned, flushed) = try await pool.withSession { session in
                let stories = session.repository(Story.self)
                let copied = try await stories.addMany((1...3).map { Story(id: nil, slug: "copy\($0)", title: "C") })
                let returned = try await stories.addMany([Story(id: nil, slug: "ret", title: "R")], returning: \.self)
                let pending = (1...3).map { session.add(Story(id: nil, slug: "flush\($0)", title: "F")) }
                try await session.flush()
                let upserted = try await stories.upsertMany([Story(id: nil, slug: "up", title: "U")], matching: [\.slug])
                #expect(upserted == 1)
                return (copied, returned, try pending.map { try $0.get() })
            }
            #expect(copied == 3)
            #expect(returned.first?.createdAt != nil)
            #expect(flushed.allSatisfy { $0.createdAt != nil && $0.updatedAt == $0.createdAt })
            let observer = try await TestDatabase.connect(schema: schema)
            let distinct = try await observer.query("SELECT count(DISTINCT created_at), count(*) FROM stories WHERE created_at = updated_at")[0]
            await observer.close()
            #expect(try distinct.decode(Int.self, at: 0) == 1, "one transaction, one now(): COPY too")
            #expect(try distinct.decode(Int.self, at: 1) == 8)
        }
    }

    struct Note: Model, SoftDeletable, Auditable, Versioned {
        static let tableName = "notes"
        var id: Int64?
        var text: String
        var deletedAt: Date?
        var createdAt: Date?
        var updatedAt: Date?
        var version: Int64 = 1
    }

    @Test func markingAndRestoringASoftDeletedRowIsAnUpdate() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { connection in
                try await connection.execute("""
                    CREATE TABLE notes (id bigserial PRIMARY KEY, text text NOT NULL, deleted_at timestamptz,
                        created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version bigint NOT NULL)
                    """)
            }
            let note = try await pool.withSession { try await $0.repository(Note.self).add(Note(id: nil, text: "n")) }
            let id = try #require(note.id)
            let marked = try await pool.withSession { try await $0.repository(Note.self).deleteMany(ids: [id], returning: \.self) }
            #expect(marked.first?.version == 2)
            #expect((marked.first?.updatedAt ?? .distantPast) > (note.updatedAt ?? .distantFuture))
            let restored = try await pool.withSession { try await $0.repository(Note.self).restore(id: id) }
            #expect(restored?.version == 3)
            #expect((restored?.updatedAt ?? .distantPast) > (marked.first?.updatedAt ?? .distantFuture))
            #expect(restored?.createdAt == note.createdAt)
        }
    }

    // MARK: - Optimistic locking

    @Test func aStaleUpdateThrowsAndWritesNothing() async throws {
        try await StorySchema.withPool { pool, schema in
            let story = try await pool.withSession { try await $0.repository(Story.self).add(Story(id: nil, slug: "a", title: "A")) }
            // Another client changes the row: the model in hand is now stale.
            let changed = try await pool.withSession { session in
                try await session.repository(Story.self).update(id: story.id ?? 0, set: [.set(\.title, "theirs")])
            }
            #expect(changed?.version == 2)
            let stale = await #expect(throws: StaleDataError.self) {
                try await pool.withSession { session in
                    var mine = story
                    mine.title = "mine"
                    return try await session.repository(Story.self).update(mine)
                }
            }
            #expect(stale?.entity == "stories")
            #expect(stale?.id == "\(story.id ?? 0)")
            let stored = try await stamps("a", in: schema)
            #expect(stored.version == 2)
            #expect(try await pool.withSession { try await $0.repository(Story.self).get(id: story.id ?? 0)?.title } == "theirs")
            // Read again, the change applies and carries the new version.
            let fresh = try await pool.withSession { session in
                let stories = session.repository(Story.self)
                var current = try #require(try await stories.get(id: story.id ?? 0))
                current.title = "mine"
                return try await stories.update(current)
            }
            #expect(fresh.version == 3)
            #expect(fresh.title == "mine")
        }
    }

    @Test func twoSessionsUpdateTheSameRowAndTheSecondFlushCommitsNothing() async throws {
        try await StorySchema.withPool { pool, schema in
            let ids = try await pool.withSession { session in
                try await session.repository(Story.self).addMany([Story(id: nil, slug: "a", title: "A"),
                                                                   Story(id: nil, slug: "b", title: "B")], returning: \.id)
            }.compactMap(\.self)
            let error = await #expect(throws: StaleDataError.self) {
                try await pool.withSession { second in
                    let theirs = second.repository(Story.self)
                    let loaded = try await theirs.getMany(ids: ids)
                    // The first session loads the same rows, updates one and commits.
                    try await pool.withSession { first in
                        let mine = first.repository(Story.self)
                        var story = try #require(try await mine.get(id: ids[0]))
                        story.title = "first"
                        first.update(story)
                    }
                    // The second updates both (one batched statement) and adds a row: all or nothing.
                    for var story in loaded {
                        story.title = "second"
                        second.update(story)
                    }
                    second.add(Story(id: nil, slug: "c", title: "C"))
                }
            }
            #expect(error?.id == "\(ids[0])")
            #expect(try await TestDatabase.count("stories", in: schema, where: "title = 'first'") == 1)
            #expect(try await TestDatabase.count("stories", in: schema, where: "title = 'second'") == 0, "nothing of the stale flush is committed")
            #expect(try await TestDatabase.count("stories", in: schema) == 2)
            #expect(try await stamps("a", in: schema).version == 2)
            #expect(try await stamps("b", in: schema).version == 1)
        }
    }

    @Test func sixteenConcurrentUpdatesOfOneReadOnlyOneWins() async throws {
        try await TestDatabase.withPool(max: 16) { pool, schema in
            try await pool.withConnection { try await $0.executeScript(StorySchema.create) }
            let id = try #require(try await pool.withSession {
                try await $0.repository(Story.self).add(Story(id: nil, slug: "a", title: "A"))
            }.id)
            let barrier = Barrier(parties: 16)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for writer in 0..<16 {
                    group.addTask {
                        do {
                            try await pool.withSession { session in
                                var story = try #require(try await session.repository(Story.self).get(id: id))
                                // Every writer has read version 1 before any writes.
                                await barrier.arrive()
                                story.title = "writer \(writer)"
                                session.update(story)
                            }
                            return true
                        } catch is StaleDataError {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1, "the first to commit wins; the others read a version that is gone")
            let stored = try await stamps("a", in: schema)
            #expect(stored.version == 2)
            #expect(try await TestDatabase.count("stories", in: schema, where: "title LIKE 'writer %'") == 1)
        }
    }

    @Test func aStaleRowInAnExplicitFlushFailsTheTransaction() async throws {
        try await StorySchema.withPool { pool, schema in
            let story = try await pool.withSession { try await $0.repository(Story.self).add(Story(id: nil, slug: "a", title: "A")) }
            try await pool.withSession { try await $0.repository(Story.self).update(id: story.id ?? 0, set: [.increment(\.views, by: 1)]) }
            var flushError: (any Error)?
            var commitError: (any Error)?
            try? await pool.withSession { session in
                var stale = story
                stale.title = "stale"
                session.update(stale)
                do {
                    try await session.flush()
                } catch {
                    // The transaction is failed: swallowing the error must not commit anything.
                    flushError = error
                    do { try await session.commit() } catch { commitError = error }
                }
            }
            #expect(flushError is StaleDataError)
            #expect(commitError is SessionError)
            #expect(try await TestDatabase.count("stories", in: schema, where: "title = 'stale'") == 0)
        }
    }
}
