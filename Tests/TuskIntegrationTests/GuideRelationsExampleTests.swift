import Foundation
import Testing
import Tusk

extension RelationsBlog {
    /// Docs/Guide.md §5 run against the real server: the guide's calls, word for word, over
    /// RelationsBlog's models (the guide's, with their relations declared).
    @Suite struct GuideRelationsExampleTests {
        @Test func theGuidesRelationsExampleRuns() async throws {
            try await RelationsBlog.withPool { pool, schema in
                // Setup the guide leaves out: an author, two tags, an older post tagged swift.
                let (ada, swift, postgres, older) = try await pool.withSession { session in
                    let ada = try await session.repository(Author.self).add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                    let tags = session.repository(Tag.self)
                    let swift = try await tags.add(Tag(id: nil, name: "swift"))
                    let postgres = try await tags.add(Tag(id: nil, name: "postgres"))
                    let older = try await session.repository(Post.self).add(Post(id: nil, authorID: ada.id ?? 0, title: "Old", body: "…"))
                    try session.link(older, \.tags, to: [swift])
                    return (ada, swift, postgres, older)
                }

                try await pool.withSession { session in
                    let draft = session.add(Post(id: nil, authorID: ada.id ?? 0, title: "Notes", body: "…"))
                    try session.link(draft, \.tags, to: [swift, postgres])     // inserted with the post, one statement
                    try session.unlink(older, \.tags, from: [swift])
                    let before = await session.statistics.roundTrips
                    try await session.flush()                                   // one round trip
                    #expect(await session.statistics.roundTrips - before == 1)
                }

                var printed: [String] = []
                try await pool.withSession { session in
                    let posts = session.repository(Post.self)
                    let recent = try await posts.list(orderBy: [.desc(\.id)], limit: 20, load: [\.author, \.tags])
                    for post in recent {
                        printed.append("\(post.title) \(try post.author.get()?.name ?? "?") \(try post.tags.get().map(\.name))")
                    }
                    let authors = try await session.repository(Author.self).list(load: [\.posts])   // [] for an author without posts
                    let one = try await posts.get(id: recent[0].id ?? 0, load: [\.tags])
                    #expect(authors.count == 1)
                    #expect(try authors[0].posts.get().map(\.title) == ["Old", "Notes"])
                    #expect(one?.author.isLoaded == false)   // not asked for: get() throws relationNotLoaded
                    #expect(throws: RepositoryError.self) { try one?.author.get() }
                }
                #expect(printed == [#"Notes Ada ["postgres", "swift"]"#, "Old Ada []"])
                #expect(try await TestDatabase.count("post_tag_links", in: schema) == 2)

                // The same loading, wired by hand.
                try await pool.withSession { session in
                    let authors = try await session.repository(Author.self).list(limit: 50)
                    let postsByAuthor = try await session.repository(Post.self).grouped(by: \.authorID, in: authors.compactMap(\.id))   // one query
                    let recent = try await session.repository(Post.self).list(orderBy: [.desc(\.id)], limit: 20)
                    let authorsByID = try await session.repository(Author.self).keyed(by: \.id, in: recent.map(\.authorID))          // one query
                    #expect(postsByAuthor[ada.id ?? 0]?.count == 2)
                    #expect(authorsByID[ada.id ?? 0]?.name == "Ada")
                }
            }
        }

        @Test func theAutocommitRepositoryLoadsRelationsToo() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let post = try await pool.withSession { session in
                    let ada = try await session.repository(Author.self).add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                    let swift = try await session.repository(Tag.self).add(Tag(id: nil, name: "swift"))
                    let pending = session.add(Post(id: nil, authorID: ada.id ?? 0, title: "Notes", body: "…"))
                    try session.link(pending, \.tags, to: [swift])
                    try await session.flush()
                    return try pending.get()
                }
                let posts = pool.autocommit.repository(Post.self)
                let listed = try await posts.list(load: [\.author, \.tags])
                #expect(try listed.map { try $0.tags.get().map(\.name) } == [["swift"]])
                let one = try await posts.get(id: post.id ?? 0, load: [\.author])
                #expect(try one?.author.get()?.name == "Ada")
                #expect(one?.tags.isLoaded == false)
            }
        }
    }
}
