import Foundation
import Testing
import Tusk

/// Docs/Guide.md's sections 14 (unique rows and slugs) and 15 (services), call for call, so the
/// guide cannot drift from the API.
@Suite struct GuideUniqueExampleTests {
    private struct NewPost: Encodable { var authorID: Int64; var title: String; var body: String }
    private struct PostPatch: Encodable { var title: String?; var body: String? }
    private struct NewAuthor: Encodable { var name: String; var email: String }

    @Test func uniqueRowsAndSlugs() async throws {
        try await UniqueSchema.withBlog { pool, _ in
            let importedAuthors = (1...3).map { Author(id: nil, name: "A\($0)", email: "a\($0)@example.com") }
            let feed = [Author(id: nil, name: "A1 renamed", email: "a1@example.com"), Author(id: nil, name: "B", email: "b@example.com")]

            let outcome = try await pool.withSession { session in
                let tags = session.repository(Tag.self)
                // Get or create: an existing row is returned as it is.
                let (swift, created) = try await tags.getOrUpsert(Tag(id: nil, name: "swift"), matching: [\.name], update: .nothing)
                // Get or upsert: an existing row takes the new values.
                let (counted, _) = try await tags.getOrUpsert(Tag(id: nil, name: "swift", uses: 3), matching: [\.name])

                let articles = session.repository(Article.self)
                let hello = try await articles.add(Article(id: nil, title: "Hello, World!"), slugFrom: "Hello, World!")   // hello-world
                let again = try await articles.add(Article(id: nil, title: "Hello World"), slugFrom: "Hello World")       // hello-world-2
                let found = try await articles.getBySlug("hello-world-2")
                return (swift, created, counted, hello, again, found)
            }
            #expect(outcome.1, "created")
            #expect(outcome.2.id == outcome.0.id && outcome.2.uses == 3)
            #expect(outcome.3.slug == "hello-world" && outcome.4.slug == "hello-world-2")
            #expect(outcome.5 == outcome.4)

            let authors = pool.autocommit.repository(Author.self)
            try await authors.addMany(importedAuthors)                       // one COPY, committed
            try await authors.upsertMany(feed, matching: [\.email])
            let names = try await authors.stream(where: \.active == true, batchSize: 500) { rows in
                var names: [String] = []
                for try await author in rows { names.append(author.name) }
                return names
            }
            #expect(Set(names) == ["A1 renamed", "A2", "A3", "B"])
        }
    }

    @Test func services() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let adaID = try #require(try await pool.autocommit.repository(Author.self)
                .add(Author(id: nil, name: "Ada", email: "ada@example.com")).id)

            let posts = RepositoryService<Post>(pool: pool)
            let draft = try await posts.create(NewPost(authorID: adaID, title: "Draft", body: "…"))    // committed
            let final = try await posts.update(id: draft.id, with: PostPatch(title: "Final", body: nil))  // writes title only
            #expect(final.title == "Final" && final.body == "…")

            // Several calls, one transaction: when the second fails, nothing of the first remains.
            try await posts.transaction { posts in
                let post = try await posts.create(NewPost(authorID: adaID, title: "Part 1", body: "…"))
                try await posts.update(id: post.id, with: PostPatch(title: "Part 1 of 2", body: nil))
                try await posts.session.repository(PostTag.self).add(PostTag(postID: post.id ?? 0, tag: "series", weight: 1))
            }
            #expect(try await TestDatabase.count("posts", in: schema, where: "title = 'Part 1 of 2'") == 1)
            #expect(try await TestDatabase.count("post_tags", in: schema) == 1)

            let authors = RepositoryService<Author>(pool: pool, matchFields: [\.email])
            try await authors.upsert(NewAuthor(name: "Ada Lovelace", email: "ada@example.com"))   // by email
            let page = try await authors.listAndCount(orderBy: [.asc(\.name)], limit: 20)
            #expect(page.total == 1 && page.items.first?.name == "Ada Lovelace" && page.items.first?.id == adaID)
        }
    }
}
