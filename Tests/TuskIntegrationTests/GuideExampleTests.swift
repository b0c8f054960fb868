import Foundation
import Testing
import Tusk

/// The examples of Docs/Guide.md sections 3 and 6–9, run as the guide writes them, on the guide's
/// blog schema: several repositories in one transaction, writing, bulk, the unit of work, and raw
/// SQL (a window function, a recursive CTE, EXISTS).
@Suite struct GuideExampleTests {
    func withBlog<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await BlogSchema.withBlog(body)
    }

    @Test func sessionsShareOneTransactionAcrossRepositories() async throws {
        try await withBlog { pool, schema in
            // §3, as written.
            let post = try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let posts = session.repository(Post.self)
                let ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                return try await posts.add(Post(id: nil, authorID: ada.id ?? 0, title: "Notes", body: "…"))
            }
            #expect(post.id != nil)
            #expect(try await TestDatabase.count("posts", in: schema) == 1)

            // The same two repositories, the transaction rolled back by a throw: neither row stays.
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await pool.withSession { session in
                    let ada = try await session.repository(Author.self).add(Author(id: nil, name: "Grace", email: "grace@example.com"))
                    try await session.repository(Post.self).add(Post(id: nil, authorID: ada.id ?? 0, title: "Draft", body: ""))
                    throw Abort()
                }
            }
            #expect(try await TestDatabase.count("authors", in: schema) == 1)
            #expect(try await TestDatabase.count("posts", in: schema) == 1)
        }
    }

    @Test func writingAsTheGuideWritesIt() async throws {
        try await withBlog { pool, schema in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let posts = session.repository(Post.self)
                let cutoff = Date(timeIntervalSinceNow: 3_600)
                // §6, as written.
                var ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                ada.name = "Ada Lovelace"
                ada = try await authors.update(ada)
                try await authors.update(id: ada.id, set: [.set(\.email, "ada@lovelace.org")])
                try await authors.updateWhere(\.createdAt < cutoff, set: [.set(\.active, false)])
                let post = try await posts.add(Post(id: nil, authorID: ada.id ?? 0, title: "T", body: ""))
                let postID = post.id
                try await posts.updateWhere(\.id == postID, set: [.increment(\.views, by: 1)])
                #expect(try await posts.get(id: post.id, refresh: true)?.views == 1)
                #expect(try await authors.get(id: ada.id, refresh: true) == Author(id: ada.id, name: "Ada Lovelace", email: "ada@lovelace.org",
                                                                                    active: false, createdAt: ada.createdAt))
                for index in 7...10 { try await authors.add(Author(id: nil, name: "N\(index)", email: "n\(index)@example.com")) }
                let others = try await authors.list(where: \.name != "Ada Lovelace", orderBy: [.asc(\.id)])
                try await authors.delete(id: others[0].id ?? 0)
                #expect(try await authors.deleteMany(ids: others.dropFirst().compactMap(\.id)) == 3)
                try await posts.deleteWhere(\.publishedAt == nil)      // marks, for a SoftDeletable model
                #expect(try await posts.count() == 0)
                try await posts.restore(id: post.id ?? 0)
                #expect(try await posts.hardDelete(id: post.id ?? 0))
                #expect(try await authors.delete(ada))
            }
            #expect(try await TestDatabase.count("authors", in: schema) == 0)
        }
    }

    @Test func bulkAsTheGuideWritesIt() async throws {
        try await withBlog { pool, schema in
            let importedAuthors = (1...300).map { Author(id: nil, name: "I\($0)", email: "i\($0)@example.com") }
            let newAuthors = (1...3).map { Author(id: nil, name: "New\($0)", email: "new\($0)@example.com") }
            let feed = [Author(id: nil, name: "Renamed", email: "i1@example.com"), Author(id: nil, name: "Fresh", email: "fresh@example.com")]
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let posts = session.repository(Post.self)
                // §7, as written.
                var reported = 0
                try await authors.addMany(importedAuthors) { sent in reported = sent }
                #expect(reported == 300)
                let ids = try await authors.addMany(newAuthors, returning: \.id)
                #expect(ids.count == 3 && ids.allSatisfy { $0 != nil })
                try await authors.upsertMany(feed, matching: [\.email])
                try await authors.upsertMany(feed, matching: [\.email], update: .columns([\Author.name]))
                #expect(try await authors.upsertMany(feed, matching: [\.email], update: .nothing) == 0)
                #expect(try await authors.getOne(where: \.email == "i1@example.com").name == "Renamed")

                let author = try await authors.getOne(where: \.email == "fresh@example.com")
                var post = try await posts.add(Post(id: nil, authorID: author.id ?? 0, title: "Old", body: "", views: 5))
                post.views = 3
                #expect(try await posts.upsert(post, matching: [\.id], where: .sql("posts.views < \(post.views)")) == nil, "5 < 3 is false")
                var edited = post
                edited.title = "New"
                edited.body = "Body"
                try await posts.updateMany([edited], columns: [\Post.title, \Post.body])
                let stored = try await posts.get(id: post.id, refresh: true)
                #expect(stored?.title == "New" && stored?.views == 5)
            }
            #expect(try await TestDatabase.count("authors", in: schema) == 304)
        }
    }

    @Test func theUnitOfWorkAsTheGuideWritesIt() async throws {
        try await withBlog { pool, schema in
            try await pool.withSession { session in
                for index in 1...2 {
                    try await session.repository(Author.self).add(Author(id: nil, name: "A\(index)", email: "a\(index)@example.com"))
                }
            }
            // §8, as written.
            try await pool.withSession { session in
                let users = session.repository(Author.self)
                var ada = try #require(try await users.get(id: 1))
                ada.active = false
                session.update(ada)
                let pending = session.add(Author(id: nil, name: "Grace", email: "grace@example.com"))
                session.delete(try #require(try await users.get(id: 2)))
                let before = await session.statistics.roundTrips
                try await session.flush()
                #expect(await session.statistics.roundTrips == before + 1, "one round trip: inserts, updates, deletes")
                #expect(try pending.get().id == 3)
            }
            #expect(try await TestDatabase.count("authors", in: schema, where: "active") == 1)
            #expect(try await TestDatabase.count("authors", in: schema) == 2)
        }
    }

    @Test func rawSQLAsTheGuideWritesIt() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                try await session.executeScript("""
                    INSERT INTO authors (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', 'grace@example.com');
                    INSERT INTO posts (author_id, title, body, views) VALUES (1, 'a', '', 10), (1, 'b', '', 2000), (2, 'c', '', 5);
                    CREATE TABLE categories (id int PRIMARY KEY, parent_id int REFERENCES categories, name text NOT NULL);
                    INSERT INTO categories VALUES (1, NULL, 'root'), (2, 1, 'books'), (3, 2, 'sci-fi')
                    """)
                // §9, as written.
                struct Ranked: Decodable { var title: String; var authorID: Int64; var rank: Int }
                let top = try await session.query("""
                    SELECT title, author_id, row_number() OVER (PARTITION BY author_id ORDER BY views DESC) AS rank
                    FROM posts WHERE deleted_at IS NULL
                    """, as: Ranked.self)
                #expect(Set(top.filter { $0.rank == 1 }.map(\.title)) == ["b", "c"])

                struct Node: Decodable { var id: Int32; var name: String; var depth: Int32 }
                let tree = try await session.query("""
                    WITH RECURSIVE tree AS (
                        SELECT id, name, 0 AS depth FROM categories WHERE parent_id IS NULL
                        UNION ALL SELECT c.id, c.name, t.depth + 1 FROM categories c JOIN tree t ON c.parent_id = t.id)
                    SELECT * FROM tree
                    """, as: Node.self)
                #expect(tree.map(\.depth).sorted() == [0, 1, 2])
                #expect(tree.first { $0.depth == 2 }?.name == "sci-fi")

                let writers = try await session.query("""
                    SELECT * FROM authors a WHERE EXISTS (SELECT 1 FROM posts p WHERE p.author_id = a.id AND p.views > \(1000))
                    """, as: Author.self)
                #expect(writers.map(\.name) == ["Ada"])
            }
        }
    }
}
