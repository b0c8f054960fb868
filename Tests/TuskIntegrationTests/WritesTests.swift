import Foundation
import Testing
import Tusk
import TuskTestSupport

/// Returning deletes and updates, assignment expressions, audit columns and optimistic locking,
/// against the real server.
@Suite struct WritesTests {
    // MARK: - Returning rows

    @Test func deletesReturnTheRowsAndTheSessionForgetsExactlyThose() async throws {
        try await ArticleSchema.withPool { pool, schema in
            try await pool.withSession { session in
                let articles = session.repository(Article.self)
                for index in 1...4 { try await articles.add(Article(id: nil, slug: "s\(index)", title: "T\(index)", views: Int32(index))) }
                #expect(session.identityMapCount == 4)
                let removed = try await articles.deleteWhere(\.views >= 3, returning: \.self)
                #expect(Set(removed.map(\.slug)) == ["s3", "s4"])
                #expect(removed.allSatisfy { $0.createdAt != nil })
                #expect(session.identityMapCount == 2, "the deleted rows are forgotten, the others kept")
                let ids = try await articles.list(orderBy: [.asc(\.id)]).compactMap(\.id)
                let slugs = try await articles.deleteMany(ids: ids + [999_999], returning: \.slug)
                #expect(Set(slugs) == ["s1", "s2"], "a missing id is absent from the result")
                #expect(try await articles.get(id: ids[0]) == nil)
                #expect(session.identityMapCount == 0)
            }
            #expect(try await TestDatabase.count("articles", in: schema) == 0)
        }
    }

    @Test func softDeletesReturnTheMarkedRows() async throws {
        try await ArticleSchema.withPool { pool, schema in
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
        try await ArticleSchema.withPool { pool, _ in
            try await pool.withSession { session in
                let articles = session.repository(Article.self)
                let first = try await articles.add(Article(id: nil, slug: "a", title: "A", views: 10))
                try await articles.add(Article(id: nil, slug: "b", title: "B", views: 20))
                let bumped = try await articles.updateWhere(\.slug == "a", set: [.increment(\.views, by: 5)], returning: \.self)
                #expect(bumped.map(\.views) == [15])
                #expect(bumped.first?.version == 2)
                let before = await session.statistics
                #expect(try await articles.get(id: first.id ?? 0)?.views == 15, "remembered: read without a query")
                #expect(await session.statistics.roundTrips == before.roundTrips)
                #expect(try await articles.updateWhere(\.slug == "a", set: [.set(\.title, "A2")]) == 1, "the count stays")
            }
        }
    }

    // MARK: - Assignment expressions

    @Test func expressionsInUpdatesAndUpserts() async throws {
        try await ArticleSchema.withPool { pool, schema in
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
        try await ArticleSchema.withPool { pool, _ in
            try await pool.withSession { session in
                let articles = session.repository(Article.self)
                let seed = (1...3).map { Article(id: nil, slug: "s\($0)", title: "T\($0)", views: 1) }
                #expect(try await articles.upsertMany(seed, matching: [\.slug]) == 3)
                let hits = (1...5).map { Article(id: nil, slug: "s\($0)", title: "new", views: 1) }
                let affected = try await articles.upsertMany(hits, matching: [\.slug],
                                                             update: .assignments([.increment(\.views, by: 1), .excluded(\.title)]))
                #expect(affected == 5)
                let stored = try await articles.list(orderBy: [.asc(\.slug)])
                #expect(stored.map(\.views) == [2, 2, 2, 1, 1])
                #expect(stored.allSatisfy { $0.title == "new" })
                #expect(stored.map(\.version) == [2, 2, 2, 1, 1])
            }
        }
    }

    // MARK: - Audit columns

    /// The stored timestamps of the article with `slug`, read by another client.
    func stamps(_ slug: String, in schema: String) async throws -> (created: Date, updated: Date, version: Int64) {
        let observer = try await TestDatabase.connect(schema: schema)
        defer { Task { await observer.close() } }
        let row = try await observer.query("SELECT created_at, updated_at, version FROM articles WHERE slug = \(slug)")[0]
        return (try row.decode(Date.self, at: 0), try row.decode(Date.self, at: 1), try row.decode(Int64.self, at: 2))
    }

    @Test func updatedAtAdvancesOnEveryUpdatePath() async throws {
        try await ArticleSchema.withPool { pool, schema in
            let inserted = try await pool.withSession { session in
                try await session.repository(Article.self).add(Article(id: nil, slug: "a", title: "A"))
            }
            let created = try #require(inserted.createdAt)
            #expect(inserted.updatedAt == created, "both stamped with the insert's now()")
            var last = try await stamps("a", in: schema)
            #expect(abs(last.created.timeIntervalSince(created)) < 0.001, "the returned model carries the stored time")

            // Each path in a transaction of its own: now() is the transaction's start.
            let id = try #require(inserted.id)
            let paths: [(String, (Repository<Article>, Session) async throws -> Article?)] = [
                ("update(_:)", { articles, _ in
                    var article = try #require(try await articles.get(id: id))
                    article.title = "B"
                    return try await articles.update(article)
                }),
                ("update(id:set:)", { articles, _ in try await articles.update(id: id, set: [.set(\.title, "C")]) }),
                ("updateWhere", { articles, _ in
                    try await articles.updateWhere(\.slug == "a", set: [.set(\.title, "D")], returning: \.self).first
                }),
                ("updateWhere count", { articles, _ in
                    _ = try await articles.updateWhere(\.slug == "a", set: [.set(\.title, "D2")])
                    return nil
                }),
                ("updateMany", { articles, _ in
                    var article = try #require(try await articles.get(id: id))
                    article.title = "E"
                    _ = try await articles.updateMany([article])
                    return nil
                }),
                ("upsert", { articles, _ in
                    try await articles.upsert(Article(id: nil, slug: "a", title: "F"), matching: [\.slug])
                }),
                ("upsertMany", { articles, _ in
                    _ = try await articles.upsertMany([Article(id: nil, slug: "a", title: "G")], matching: [\.slug])
                    return nil
                }),
                ("flush", { articles, session in
                    var article = try #require(try await articles.get(id: id))
                    article.title = "H"
                    session.update(article)
                    try await session.flush()
                    return try await articles.get(id: id)
                }),
            ]
            for (name, path) in paths {
                let returned = try await pool.withSession { session in try await path(session.repository(Article.self), session) }
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
            #expect(last.version == 9)
        }
    }

    @Test func everyInsertPathStampsNilTimestamps() async throws {
        try await ArticleSchema.withPool { pool, schema in
            let (copied, returned, flushed) = try await pool.withSession { session in
                let articles = session.repository(Article.self)
                let copied = try await articles.addMany((1...3).map { Article(id: nil, slug: "copy\($0)", title: "C") })
                let returned = try await articles.addMany([Article(id: nil, slug: "ret", title: "R")], returning: \.self)
                let pending = (1...3).map { session.add(Article(id: nil, slug: "flush\($0)", title: "F")) }
                try await session.flush()
                let upserted = try await articles.upsertMany([Article(id: nil, slug: "up", title: "U")], matching: [\.slug])
                #expect(upserted == 1)
                return (copied, returned, try pending.map { try $0.get() })
            }
            #expect(copied == 3)
            #expect(returned.first?.createdAt != nil)
            #expect(flushed.allSatisfy { $0.createdAt != nil && $0.updatedAt == $0.createdAt })
            let observer = try await TestDatabase.connect(schema: schema)
            let distinct = try await observer.query("SELECT count(DISTINCT created_at), count(*) FROM articles WHERE created_at = updated_at")[0]
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
        try await ArticleSchema.withPool { pool, schema in
            let article = try await pool.withSession { try await $0.repository(Article.self).add(Article(id: nil, slug: "a", title: "A")) }
            // Another client changes the row: the model in hand is now stale.
            let changed = try await pool.withSession { session in
                try await session.repository(Article.self).update(id: article.id ?? 0, set: [.set(\.title, "theirs")])
            }
            #expect(changed?.version == 2)
            let stale = await #expect(throws: StaleDataError.self) {
                try await pool.withSession { session in
                    var mine = article
                    mine.title = "mine"
                    return try await session.repository(Article.self).update(mine)
                }
            }
            #expect(stale?.entity == "articles")
            #expect(stale?.id == "\(article.id ?? 0)")
            let stored = try await stamps("a", in: schema)
            #expect(stored.version == 2)
            #expect(try await pool.withSession { try await $0.repository(Article.self).get(id: article.id ?? 0)?.title } == "theirs")
            // Read again, the change applies and carries the new version.
            let fresh = try await pool.withSession { session in
                let articles = session.repository(Article.self)
                var current = try #require(try await articles.get(id: article.id ?? 0))
                current.title = "mine"
                return try await articles.update(current)
            }
            #expect(fresh.version == 3)
            #expect(fresh.title == "mine")
        }
    }

    @Test func twoSessionsUpdateTheSameRowAndTheSecondFlushCommitsNothing() async throws {
        try await ArticleSchema.withPool { pool, schema in
            let ids = try await pool.withSession { session in
                try await session.repository(Article.self).addMany([Article(id: nil, slug: "a", title: "A"),
                                                                   Article(id: nil, slug: "b", title: "B")], returning: \.id)
            }.compactMap(\.self)
            let error = await #expect(throws: StaleDataError.self) {
                try await pool.withSession { second in
                    let theirs = second.repository(Article.self)
                    let loaded = try await theirs.getMany(ids: ids)
                    // The first session loads the same rows, updates one and commits.
                    try await pool.withSession { first in
                        let mine = first.repository(Article.self)
                        var article = try #require(try await mine.get(id: ids[0]))
                        article.title = "first"
                        first.update(article)
                    }
                    // The second updates both (one batched statement) and adds a row: all or nothing.
                    for var article in loaded {
                        article.title = "second"
                        second.update(article)
                    }
                    second.add(Article(id: nil, slug: "c", title: "C"))
                }
            }
            #expect(error?.id == "\(ids[0])")
            #expect(try await TestDatabase.count("articles", in: schema, where: "title = 'first'") == 1)
            #expect(try await TestDatabase.count("articles", in: schema, where: "title = 'second'") == 0, "nothing of the stale flush is committed")
            #expect(try await TestDatabase.count("articles", in: schema) == 2)
            #expect(try await stamps("a", in: schema).version == 2)
            #expect(try await stamps("b", in: schema).version == 1)
        }
    }

    @Test func sixteenConcurrentUpdatesOfOneReadOnlyOneWins() async throws {
        try await TestDatabase.withPool(max: 16) { pool, schema in
            try await pool.withConnection { try await $0.executeScript(ArticleSchema.create) }
            let id = try #require(try await pool.withSession {
                try await $0.repository(Article.self).add(Article(id: nil, slug: "a", title: "A"))
            }.id)
            let barrier = Barrier(parties: 16)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for writer in 0..<16 {
                    group.addTask {
                        do {
                            try await pool.withSession { session in
                                var article = try #require(try await session.repository(Article.self).get(id: id))
                                // Every writer has read version 1 before any writes.
                                await barrier.arrive()
                                article.title = "writer \(writer)"
                                session.update(article)
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
            #expect(try await TestDatabase.count("articles", in: schema, where: "title LIKE 'writer %'") == 1)
        }
    }

    @Test func aStaleRowInAnExplicitFlushFailsTheTransaction() async throws {
        try await ArticleSchema.withPool { pool, schema in
            let article = try await pool.withSession { try await $0.repository(Article.self).add(Article(id: nil, slug: "a", title: "A")) }
            try await pool.withSession { try await $0.repository(Article.self).update(id: article.id ?? 0, set: [.increment(\.views, by: 1)]) }
            var flushError: (any Error)?
            var commitError: (any Error)?
            try? await pool.withSession { session in
                var stale = article
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
            #expect(try await TestDatabase.count("articles", in: schema, where: "title = 'stale'") == 0)
        }
    }
}
