import Foundation
import Testing
import Tusk

/// Docs/Guide.md's writing examples (section 6: expressions, returning rows, audit columns and
/// optimistic locking; section 7: upserts with assignments), run against the real server.
@Suite struct GuideWritesExampleTests {
    @Test func expressionsAndReturningRows() async throws {
        try await StorySchema.withPool { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let posts = session.repository(Post.self)
                let adaID = try #require(try await authors.add(Author(id: nil, name: "Ada", email: "ada@example.com")).id)
                let spammerID = try #require(try await authors.add(Author(id: nil, name: "Spam", email: "spam@example.com")).id)
                var postIDs: [Int64] = []
                for (author, title) in [(adaID, "a"), (adaID, "b"), (spammerID, "buy"), (adaID, "c"), (adaID, "d")] {
                    postIDs.append(try #require(try await posts.add(Post(id: nil, authorID: author, title: title, body: "")).id))
                }
                let postID = postIDs[0]

                try await posts.updateWhere(\.id == postID, set: [.increment(\.views, by: 1), .now(\.publishedAt)])   // "views" = "views" + $1, now()
                let read = try #require(try await posts.get(id: postID))
                #expect(read.views == 1 && read.publishedAt != nil)

                let removed = try await posts.deleteWhere(\.authorID == spammerID, returning: \.self)    // as marked: SoftDeletable
                #expect(removed.map(\.title) == ["buy"] && removed[0].deletedAt != nil)
                let gone = try await posts.deleteMany(ids: [postIDs[3], postIDs[4]], returning: \.id)
                #expect(Set(gone) == [postIDs[3], postIDs[4]])
                let bumped = try await posts.updateWhere(\.authorID == adaID, set: [.increment(\.views, by: 1)], returning: \.self)
                #expect(bumped.map(\.views).sorted() == [1, 2], "only the live posts")

                var post = read
                post.title = "A"
                let upserted = try await posts.upsert(post, matching: [\.id], update: .columns([\Post.title]) + [.now(\.publishedAt)])
                #expect(upserted?.title == "A")
            }
        }
    }

    @Test func auditColumnsAndOptimisticLocking() async throws {
        try await StorySchema.withPool { pool, schema in
            let storyID = try await pool.withSession { session in
                let stories = session.repository(Story.self)
                var story = try await stories.add(Story(id: nil, slug: "hello", title: "Hello"))   // timestamps read back
                #expect(story.createdAt != nil && story.updatedAt == story.createdAt)
                story.title = "Hello, world"
                story = try await stories.update(story)     // … WHERE "id" = $2 AND "version" = $3; version is now 2
                #expect(story.version == 2)

                let hits = [Story(id: nil, slug: "hello", title: "ignored")]
                try await stories.upsertMany(hits, matching: [\.slug], update: .assignments([.increment(\.views, by: 1)]))
                #expect(try await stories.getOne(where: \.slug == "hello").views == 1)
                return try #require(story.id)
            }

            // The guide's somethingSlow(): another client updates the same story meanwhile.
            func somethingSlow() async throws {
                try await pool.withSession { try await $0.repository(Story.self).update(id: storyID, set: [.set(\.title, "Theirs")]) }
            }
            var reported: StaleDataError?
            do {
                try await pool.withSession { session in
                    var mine = try #require(try await session.repository(Story.self).get(id: storyID))
                    mine.title = "Mine"
                    session.update(mine)
                    try await somethingSlow()          // meanwhile another client updates the same story
                }                                      // the flush at commit finds version 2 gone: rolled back
            } catch let stale as StaleDataError {
                print("\(stale.entity) \(stale.id) changed meanwhile; read it again")
                reported = stale
            }
            #expect(reported?.id == "\(storyID)")
            #expect(try await TestDatabase.count("stories", in: schema, where: "title = 'Theirs'") == 1)
        }
    }
}
