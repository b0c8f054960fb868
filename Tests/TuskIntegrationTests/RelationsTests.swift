import Foundation
import Testing
import Tusk

extension RelationsBlog {
    /// Declared relations loaded with one `= ANY($1)` query each, and many-to-many join rows
    /// written in the session's flush, against the real server.
    @Suite struct RelationsTests {
        struct Seeded {
            var ada: Author
            var grace: Author
            var linus: Author     // no posts
            var posts: [Post]     // posts[0…2] by Ada, posts[3] by Grace, posts[4] by Grace and deleted
            var swift: Tag
            var postgres: Tag
        }

        /// Three authors, five posts (one soft-deleted), two tags; posts[2] has no tags.
        func seed(_ pool: ConnectionPool) async throws -> Seeded {
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                let grace = try await authors.add(Author(id: nil, name: "Grace", email: "grace@example.com"))
                let linus = try await authors.add(Author(id: nil, name: "Linus", email: "linus@example.com"))
                let posts = session.repository(Post.self)
                var stored: [Post] = []
                for (index, author) in [ada, ada, ada, grace, grace].enumerated() {
                    stored.append(try await posts.add(Post(id: nil, authorID: author.id ?? 0, title: "p\(index)", body: "…")))
                }
                try await posts.delete(stored[4])
                let tags = session.repository(Tag.self)
                let swift = try await tags.add(Tag(id: nil, name: "swift"))
                let postgres = try await tags.add(Tag(id: nil, name: "postgres"))
                try session.link(stored[0], \.tags, to: [swift, postgres])
                try session.link(stored[1], \.tags, to: [postgres])
                try session.link(stored[3], \.tags, to: [swift])
                try session.link(stored[4], \.tags, to: [swift])
                return Seeded(ada: ada, grace: grace, linus: linus, posts: stored, swift: swift, postgres: postgres)
            }
        }

        @Test func belongsToAndManyToManyLoadWithOneQueryEach() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let posts = session.repository(Post.self)
                    // Prepares the statements (a new statement costs one more round trip, once per
                    // connection): `= ANY($1)` keeps their text the same whatever the row count.
                    _ = try await posts.list(orderBy: [.asc(\.id)], load: [\.author, \.tags])
                    let before = await session.statistics.roundTrips
                    let loaded = try await posts.list(orderBy: [.asc(\.id)], load: [\.author, \.tags])
                    #expect(await session.statistics.roundTrips - before == 3, "the posts, then one query per relation")
                    #expect(loaded.map(\.title) == ["p0", "p1", "p2", "p3"], "the soft-deleted post is not listed")
                    #expect(try loaded.map { try $0.author.get()?.name } == ["Ada", "Ada", "Ada", "Grace"])
                    #expect(try loaded.map { try $0.tags.get().map(\.name) } == [["postgres", "swift"], ["postgres"], [], ["swift"]],
                            "sorted by the relation's order; a post without tags loads as []")
                    #expect(try loaded[0].tags.get().contains(seeded.swift))
                }
            }
        }

        @Test func roundTripsDoNotGrowWithTheRows() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let posts = session.repository(Post.self)
                    for index in 0..<40 {
                        let post = try await posts.add(Post(id: nil, authorID: seeded.grace.id ?? 0, title: "bulk\(index)", body: "…"))
                        try session.link(post, \.tags, to: index.isMultiple(of: 2) ? [seeded.swift] : [seeded.swift, seeded.postgres])
                    }
                    try await session.flush()
                    _ = try await posts.list(where: .startsWith(\.title, "bulk"), limit: .unbounded, load: [\.author, \.tags])   // prepares
                    let before = await session.statistics
                    let loaded = try await posts.list(where: .startsWith(\.title, "bulk"), limit: .unbounded, load: [\.author, \.tags])
                    let after = await session.statistics
                    #expect(loaded.count == 40)
                    #expect(after.roundTrips - before.roundTrips == 3, "1 + number of relations, for 40 posts")
                    #expect(after.statements - before.statements == 3)
                    #expect(loaded.allSatisfy { (try? $0.author.get()?.id) == seeded.grace.id })
                    let linkCount = try loaded.reduce(0) { sum, post in sum + (try post.tags.get().count) }
                    #expect(linkCount == 60)
                }
            }
        }

        @Test func hasManyLoadsEmptyForAnOwnerWithoutChildren() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let authors = session.repository(Author.self)
                    _ = try await authors.list(orderBy: [.asc(\.id)], load: [\.posts])   // prepares
                    let before = await session.statistics.roundTrips
                    let loaded = try await authors.list(orderBy: [.asc(\.id)], load: [\.posts])
                    #expect(await session.statistics.roundTrips - before == 2)
                    #expect(try loaded.map { try $0.posts.get().map(\.title) } == [["p0", "p1", "p2"], ["p3"], []],
                            "Linus has no posts: loaded and empty; Grace's deleted post is left out")
                    #expect(try loaded[2].posts.get().isEmpty && loaded[2].posts.isLoaded)
                    #expect(loaded[0].id == seeded.ada.id)
                }
            }
        }

        @Test func aRelationNotAskedForStaysNotLoaded() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let posts = session.repository(Post.self)
                    let post = try #require(try await posts.get(id: seeded.posts[0].id ?? 0, refresh: true, load: [\.tags]))
                    #expect(try post.tags.get().count == 2)
                    #expect(!post.author.isLoaded)
                    #expect(throws: RepositoryError.self) { try post.author.get() }
                    let plain = try await posts.list(limit: 1)
                    #expect(plain.allSatisfy { !$0.tags.isLoaded && !$0.author.isLoaded }, "a plain list loads no relation")
                }
            }
        }

        @Test func getLoadsRelationsOfOneRow() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let post = try await session.repository(Post.self).get(id: seeded.posts[3].id ?? 0, load: [\.author, \.tags])
                    #expect(try post?.author.get() == seeded.grace)
                    #expect(try post?.tags.get() == [seeded.swift])
                    let missing = try await session.repository(Post.self).get(id: 9_999, load: [\.author])
                    #expect(missing == nil)
                }
            }
        }

        @Test func aKeyPathThatIsNoRelationIsRefusedBeforeAnythingIsSent() async throws {
            try await RelationsBlog.withPool { pool, _ in
                try await pool.withSession { session in
                    let before = await session.statistics.roundTrips
                    let error = await #expect(throws: RepositoryError.self) {
                        try await session.repository(Post.self).list(load: [\.title])
                    }
                    #expect(error?.code == .invalidArgument)
                    #expect(await session.statistics.roundTrips == before)
                }
            }
        }

        @Test func aPostAndItsJoinRowsGoInOneFlush() async throws {
            try await RelationsBlog.withPool { pool, schema in
                let seeded = try await seed(pool)
                let stored = try await pool.withSession { session in
                    _ = try await session.repository(Post.self).count()
                    let pending = session.add(Post(id: nil, authorID: seeded.linus.id ?? 0, title: "new", body: "…"))
                    try session.link(pending, \.tags, to: [seeded.swift, seeded.postgres])
                    let other = session.add(Post(id: nil, authorID: seeded.linus.id ?? 0, title: "other", body: "…"))
                    try session.link(other, \.tags, to: [seeded.postgres])
                    let before = await session.statistics
                    try await session.flush()
                    let after = await session.statistics
                    #expect(after.roundTrips - before.roundTrips == 1, "both posts and their join rows, one round trip")
                    #expect(after.statements - before.statements == 2, "each post with its join rows is one statement")
                    return (try pending.get(), try other.get())
                }
                let newID = try #require(stored.0.id)
                let otherID = try #require(stored.1.id)
                #expect(try await TestDatabase.count("post_tag_links", in: schema, where: "post_id = \(newID)") == 2)
                #expect(try await TestDatabase.count("post_tag_links", in: schema, where: "post_id = \(otherID)") == 1)
                let tags = try await pool.withSession { session in
                    try await session.repository(Post.self).get(id: newID, load: [\.tags])?.tags.get().map(\.name)
                }
                #expect(tags == ["postgres", "swift"])
            }
        }

        @Test func linkingAndUnlinkingAnExistingPostInOneFlush() async throws {
            try await RelationsBlog.withPool { pool, schema in
                let seeded = try await seed(pool)
                let post = seeded.posts[0]   // swift, postgres
                try await pool.withSession { session in
                    let rust = try await session.repository(Tag.self).add(Tag(id: nil, name: "rust"))
                    try session.link(post, \.tags, to: [rust])
                    try session.unlink(post, \.tags, from: [seeded.swift])
                    let before = await session.statistics.roundTrips
                    try await session.flush()
                    #expect(await session.statistics.roundTrips - before == 1)
                }
                let names = try await pool.withSession { session in
                    try await session.repository(Post.self).get(id: post.id ?? 0, load: [\.tags])?.tags.get().map(\.name)
                }
                #expect(names == ["postgres", "rust"])
                #expect(try await TestDatabase.count("post_tag_links", in: schema) == 5)
            }
        }

        @Test func aFailedFlushWritesNeitherThePostNorItsJoinRows() async throws {
            try await RelationsBlog.withPool { pool, schema in
                let seeded = try await seed(pool)
                let ghost = Tag(id: 9_999, name: "ghost")   // no such row: the join row's foreign key fails
                let error = await #expect(throws: SessionError.self) {
                    try await pool.withSession { session in
                        let pending = session.add(Post(id: nil, authorID: seeded.ada.id ?? 0, title: "doomed", body: "…"))
                        try session.link(pending, \.tags, to: [seeded.swift, ghost])
                        try await session.flush()
                    }
                }
                #expect(error?.code == .flushFailed)
                #expect(error?.serverError?.sqlState == .foreignKeyViolation)
                #expect(try await TestDatabase.count("posts", in: schema, where: "title = 'doomed'") == 0)
                #expect(try await TestDatabase.count("post_tag_links", in: schema) == 5, "only the seeded links")
            }
        }

        @Test func badLinksAreRefusedBeforeAnythingIsQueued() async throws {
            try await RelationsBlog.withPool { pool, schema in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let unsaved = Tag(id: nil, name: "unsaved")
                    #expect(throws: RepositoryError.self) { try session.link(seeded.posts[2], \.tags, to: [seeded.swift, unsaved]) }
                    let draft = Post(id: nil, authorID: seeded.ada.id ?? 0, title: "draft", body: "…")
                    #expect(throws: RepositoryError.self) { try session.link(draft, \.tags, to: [seeded.swift]) }
                    #expect(throws: RepositoryError.self) { try session.link(seeded.ada, \.posts, to: [seeded.posts[3]]) }
                    let before = await session.statistics.roundTrips
                    try await session.flush()
                    #expect(await session.statistics.roundTrips == before, "nothing was queued")
                }
                #expect(try await TestDatabase.count("post_tag_links", in: schema, where: "post_id = \(seeded.posts[2].id ?? 0)") == 0)
            }
        }

        @Test func aBelongsToLoadsNilForANullKeyAndStillFindsASoftDeletedParent() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let comments = session.repository(Comment.self)
                    try await comments.add(Comment(id: nil, postID: seeded.posts[0].id, text: "on a live post"))
                    try await comments.add(Comment(id: nil, postID: seeded.posts[4].id, text: "on a deleted post"))
                    try await comments.add(Comment(id: nil, postID: nil, text: "on nothing"))
                    let loaded = try await comments.list(orderBy: [.asc(\.id)], load: [\.post])
                    #expect(try loaded.map { try $0.post.get()?.title } == ["p0", "p4", nil])
                    #expect(loaded.allSatisfy { $0.post.isLoaded }, "a NULL key loads as nil: loaded, not missing")
                }
            }
        }

        @Test func loadedRelationsAreNeverWritten() async throws {
            try await RelationsBlog.withPool { pool, schema in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let posts = session.repository(Post.self)
                    var post = try #require(try await posts.get(id: seeded.posts[0].id ?? 0, load: [\.author, \.tags]))
                    post.tags = Related([])   // changing what was loaded is not a change of the row
                    session.update(post)
                    let before = await session.statistics.roundTrips
                    try await session.flush()
                    #expect(await session.statistics.roundTrips == before, "nothing to send")
                    // COPY and upsert encode rows the same way: the relation is no column of theirs.
                    let copied = Post(id: nil, authorID: seeded.linus.id ?? 0, title: "copied", body: "…",
                                      author: Related(seeded.linus), tags: Related([seeded.swift]))
                    #expect(try await posts.addMany([copied]) == 1)
                    try await posts.upsert(Post(id: seeded.posts[1].id, authorID: seeded.ada.id ?? 0, title: "upserted", body: "…",
                                                tags: Related([seeded.swift])), matching: [\.id])
                }
                #expect(try await TestDatabase.count("post_tag_links", in: schema) == 5, "no join row came from a Related value")
                #expect(try await TestDatabase.count("posts", in: schema, where: "title IN ('copied', 'upserted')") == 2)
            }
        }

        @Test func groupedAndKeyedStillWorkOnTheSameModels() async throws {
            try await RelationsBlog.withPool { pool, _ in
                let seeded = try await seed(pool)
                try await pool.withSession { session in
                    let byAuthor = try await session.repository(Post.self).grouped(by: \.authorID, in: [seeded.ada.id ?? 0, seeded.linus.id ?? 0])
                    #expect(byAuthor[seeded.ada.id ?? 0]?.count == 3)
                    #expect(byAuthor[seeded.linus.id ?? 0] == nil)
                    let authors = try await session.repository(Author.self).keyed(by: \.id, in: [seeded.grace.id ?? 0])
                    #expect(authors[seeded.grace.id ?? 0]?.name == "Grace")
                    let before = await session.statistics.roundTrips
                    #expect(try await session.repository(Author.self).keyed(by: \.id, in: []).isEmpty)
                    #expect(await session.statistics.roundTrips == before, "no keys, no query")
                }
            }
        }
    }
}
