import Testing
import Tusk
import TuskTestSupport

@Suite struct SlugTests {
    @Test func titlesBecomeUniqueSlugsAndAreFoundAgain() async throws {
        try await UniqueSchema.withBlog { pool, _ in
            let articles = pool.autocommit.repository(Article.self)
            var slugs: [String] = []
            for _ in 0..<3 {
                slugs.append(try await articles.add(Article(id: nil, title: "My Title!"), slugFrom: "My Title!").slug)
            }
            #expect(slugs == ["my-title", "my-title-2", "my-title-3"])
            #expect(try await articles.getBySlug("my-title-2")?.slug == "my-title-2")
            #expect(try await articles.getBySlug("my-title-4") == nil)
            let other = try await articles.add(Article(id: nil, title: "My Title, Again"), slugFrom: "My Title, Again")
            #expect(other.slug == "my-title-again", "a longer title with the same start is its own slug")
        }
    }

    @Test func aConflictDoesNotAbortTheCallersTransaction() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            try await pool.withSession { session in
                let articles = session.repository(Article.self)
                _ = try await articles.add(Article(id: nil, title: "Hello"), slugFrom: "Hello")
                let second = try await articles.add(Article(id: nil, title: "Hello"), slugFrom: "Hello")
                #expect(second.slug == "hello-2")
                #expect(try await articles.count() == 2, "the transaction carries on")
            }
            #expect(try await TestDatabase.count("articles", in: schema) == 2)
        }
    }

    @Test func nothingToSlugAndNoUniqueConstraintAreTypedErrorsThatWriteNothing() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let empty = await #expect(throws: RepositoryError.self) {
                try await pool.autocommit.repository(Article.self).add(Article(id: nil, title: "!!!"), slugFrom: "!!!")
            }
            #expect(empty?.code == .invalidArgument)
            let notUnique = await #expect(throws: RepositoryError.self) {
                try await pool.autocommit.repository(Draft.self).add(Draft(id: nil, title: "Hello"), slugFrom: "Hello")
            }
            #expect(notUnique?.code == .notUnique)
            let left = (try await TestDatabase.count("articles", in: schema), try await TestDatabase.count("drafts", in: schema))
            #expect(left == (0, 0))
        }
    }

    @Test func sixteenConcurrentInsertsOfOneTitleGetSixteenSlugs() async throws {
        try await UniqueSchema.withBlog(max: 16) { pool, schema in
            let barrier = Barrier(parties: 16)
            let slugs = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        try await pool.withSession { session in
                            await barrier.arrive()
                            return try await session.repository(Article.self).add(Article(id: nil, title: "My Title!"), slugFrom: "My Title!").slug
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let expected = Set(["my-title"] + (2...16).map { "my-title-\($0)" })
            #expect(Set(slugs) == expected)
            #expect(slugs.count == 16)
            #expect(try await TestDatabase.count("articles", in: schema) == 16)
        }
    }
}
