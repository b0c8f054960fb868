import Foundation
import Testing
import Tusk

@Suite struct RepositoryTests {
    func withBlog<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await BlogSchema.withBlog(body)
    }

    @Test func addReadsBackGeneratedIDsAndDefaults() async throws {
        try await withBlog { pool, _ in
            let stored = try await pool.withSession { session in
                try await session.repository(Author.self).add(Author(id: nil, name: "Ada", email: "ada@example.com"))
            }
            #expect((stored.id ?? 0) > 0)
            #expect(stored.createdAt != nil, "the server default is read back")
            #expect(stored.active)
        }
    }

    @Test func getOneAndGetOneOrNoneErrors() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                _ = try await authors.add(Author(id: nil, name: "Ada", email: "ada2@example.com"))
                #expect(try await authors.get(id: ada.id) == ada)
                #expect(try await authors.get(id: 999_999) == nil)
                let notFound = await #expect(throws: NotFoundError.self) { try await authors.getOne(where: \.name == "Grace") }
                #expect(notFound?.entity == "authors")
                let multiple = await #expect(throws: MultipleRowsError.self) { try await authors.getOneOrNone(where: \.name == "Ada") }
                #expect(multiple?.count == 2)
                #expect(try await authors.getOneOrNone(where: \.name == "Grace") == nil)
                #expect(try await authors.getOne(where: \.email == "ada@example.com").id == ada.id)
                #expect(try await authors.findByEmail("ada2@example.com")?.name == "Ada")
                let many = try await authors.getMany(ids: [ada.id ?? 0, 999])
                #expect(many.map(\.id) == [ada.id])
            }
        }
    }

    @Test func listCountExistsAndTheDefaultGuard() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                try await authors.addMany((1...150).map { Author(id: nil, name: "A\($0)", email: "a\($0)@x.org", active: $0 % 3 != 0) })
                #expect(try await authors.list().count == 100, "the default guard")
                #expect(try await authors.list(limit: .unbounded).count == 150)
                #expect(try await authors.list(where: \.active == false, orderBy: [.desc(\.id)], limit: 5).count == 5)
                #expect(try await authors.count() == 150)
                #expect(try await authors.count(where: \.active == false) == 50)
                #expect(try await authors.exists(where: \.email == "a7@x.org"))
                #expect(try await !authors.exists(where: \.email == "nobody@x.org"))
                let page = try await authors.listAndCount(where: \.active == true, orderBy: [.asc(\.id)], limit: 10, offset: 95)
                #expect(page.total == 100)
                #expect(page.items.count == 5)
                let past = try await authors.listAndCount(where: \.active == true, limit: 10, offset: 1_000)
                #expect(past.items.isEmpty && past.total == 100)
            }
        }
    }

    @Test func filtersCoverEveryOperatorAndBindValuesVerbatim() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let hostile = ["'; DROP TABLE authors; --", "$1", "back\\slash", "quo\"te", "100%_"]
                for (index, name) in hostile.enumerated() {
                    _ = try await authors.add(Author(id: nil, name: name, email: "h\(index)@x.org"))
                }
                for name in hostile {
                    #expect(try await authors.getOne(where: \.name == name).name == name, "matched verbatim: \(name)")
                }
                #expect(try await authors.count(where: \.name != "$1") == 4)
                #expect(try await authors.count(where: .likePattern(\.name, "100\\%\\_")) == 1, "LIKE pattern bound, escapes honoured")
                #expect(try await authors.count(where: .ilikePattern(\.name, "QUO%")) == 1)
                #expect(try await authors.count(where: .in(\.email, ["h0@x.org", "h1@x.org", "none"])) == 2)
                #expect(try await authors.count(where: .notIn(\.email, ["h0@x.org"])) == 4)
                #expect(try await authors.count(where: .isNull(\.createdAt)) == 0)
                #expect(try await authors.count(where: .isNotNull(\.createdAt)) == 5)
                let first = try #require(try await authors.list(orderBy: [.asc(\.id)], limit: 1).first?.id)
                #expect(try await authors.count(where: .between(\.id, first, first + 1)) == 2)
                #expect(try await authors.count(where: \.id > first && \.id <= first + 2) == 2)
                #expect(try await authors.count(where: \.id < first || \.email == "h4@x.org") == 1)
                #expect(try await authors.count(where: !(\.email == "h4@x.org")) == 4)
                #expect(try await authors.count(where: .sql("length(name) > \(Int32(5))")) == 3)
                #expect(try await authors.count(where: .column("email", .equal, "h2@x.org")) == 1)
            }
        }
    }

    @Test func unknownColumnsAndDirectionsAreRejectedBeforeSending() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let statements = await session.statistics.statements
                #expect(throws: RepositoryError.self) { try Order<Author>(column: "id; DROP TABLE authors", direction: "asc") }
                let direction = #expect(throws: RepositoryError.self) { try Order<Author>(column: "id", direction: "sideways") }
                #expect(direction?.code == .invalidArgument)
                let filter = await #expect(throws: RepositoryError.self) {
                    try await authors.count(where: .column("password", .equal, "x"))
                }
                #expect(filter?.code == .unknownColumn)
                #expect(await session.statistics.statements == statements, "nothing was sent")
                let byEmail = try Order<Author>(column: "email", direction: "DESC")
                let sorted = try await authors.list(orderBy: [byEmail])
                #expect(sorted.isEmpty)
            }
        }
    }

    @Test func keysetPaginationVisitsEachRowExactlyOnce() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                try await authors.addMany((1...10_000).map { Author(id: nil, name: "N\($0 % 37)", email: "k\($0)@x.org") })
                var seen = Set<Int64>()
                var duplicates = 0
                let order: [Order<Author>] = [.desc(\.name), .asc(\.id)]
                var page = try await authors.list(orderBy: order, limit: 333)
                while let last = page.last {
                    for author in page { if !seen.insert(author.id ?? -1).inserted { duplicates += 1 } }
                    page = try await authors.list(orderBy: order, after: last, limit: 333)
                }
                #expect(seen.count == 10_000)
                #expect(duplicates == 0)
            }
        }
    }

    @Test func updatesAndDeletes() async throws {
        try await withBlog { pool, schema in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                var ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@x.org"))
                ada.name = "Ada Lovelace"
                #expect(try await authors.update(ada).name == "Ada Lovelace")
                let renamed = try await authors.update(id: ada.id, set: [.set(\.email, "ada@lovelace.org")])
                #expect(renamed?.email == "ada@lovelace.org")
                #expect(try await authors.update(id: 424_242, set: [.set(\.email, "x")]) == nil)
                try await authors.addMany((1...20).map { Author(id: nil, name: "Old\($0)", email: "o\($0)@x.org") })
                // The seed's bulk deactivate: one UPDATE … WHERE, never a loop.
                let statements = await session.statistics.statements
                #expect(try await authors.updateWhere(.likePattern(\.name, "Old%"), set: [.set(\.active, false)]) == 20)
                #expect(await session.statistics.statements == statements + 1)
                #expect(try await authors.count(where: \.active == false) == 20)
                #expect(try await authors.delete(ada))
                #expect(try await !authors.delete(ada), "already gone")
                let old = try await authors.list(where: .likePattern(\.name, "Old%"), orderBy: [.asc(\.id)], limit: .unbounded)
                #expect(try await authors.delete(id: old[0].id))
                #expect(try await authors.deleteMany(ids: old.dropFirst().prefix(9).compactMap(\.id)) == 9)
                #expect(try await authors.deleteWhere(.likePattern(\.name, "Old%")) == 10)
                #expect(try await authors.count() == 0)
            }
            #expect(try await TestDatabase.count("authors", in: schema) == 0)
        }
    }

    @Test func compositeKeys() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let author = try await session.repository(Author.self).add(Author(id: nil, name: "A", email: "a@x.org"))
                let post = try await session.repository(Post.self).add(Post(id: nil, authorID: author.id ?? 0, title: "T", body: "B"))
                let tags = session.repository(PostTag.self)
                let postID = try #require(post.id)
                try await tags.add(PostTag(postID: postID, tag: "swift", weight: 1))
                try await tags.add(PostTag(postID: postID, tag: "sql", weight: 2))
                #expect(try await tags.get(id: .init(postID: postID, tag: "sql"))?.weight == 2)
                var tag = try #require(try await tags.get(id: .init(postID: postID, tag: "swift")))
                tag.weight = 10
                #expect(try await tags.update(tag).weight == 10)
                #expect(try await tags.delete(id: .init(postID: postID, tag: "sql")))
                #expect(try await tags.count() == 1)
            }
        }
    }

    @Test func relationsLoadInOneQuery() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let posts = session.repository(Post.self)
                var stored: [Author] = []
                for index in 0..<10 { stored.append(try await authors.add(Author(id: nil, name: "A\(index)", email: "r\(index)@x.org"))) }
                for author in stored {
                    for index in 0..<(Int(author.id ?? 0) % 4) {
                        try await posts.add(Post(id: nil, authorID: author.id ?? 0, title: "P\(index)", body: ""))
                    }
                }
                let before = await session.statistics.statements
                let byAuthor = try await posts.grouped(by: \.authorID, in: stored.compactMap(\.id))
                #expect(await session.statistics.statements == before + 1, "one query, not one per author")
                for author in stored {
                    #expect(byAuthor[author.id ?? 0, default: []].count == Int(author.id ?? 0) % 4)
                }
                let allPosts = try await posts.list(limit: .unbounded)
                let parents = try await authors.keyed(by: \.id, in: allPosts.map(\.authorID))
                #expect(Set(parents.keys) == Set(allPosts.map(\.authorID)))
            }
        }
    }

    @Test func softDeleteMarksFiltersRestoresAndHardDeletes() async throws {
        try await withBlog { pool, schema in
            try await pool.withSession { session in
                let author = try await session.repository(Author.self).add(Author(id: nil, name: "A", email: "s@x.org"))
                let posts = session.repository(Post.self)
                let kept = try await posts.add(Post(id: nil, authorID: author.id ?? 0, title: "kept", body: ""))
                let gone = try await posts.add(Post(id: nil, authorID: author.id ?? 0, title: "gone", body: ""))
                #expect(try await posts.delete(gone))
                #expect(try await posts.count() == 1)
                #expect(try await posts.get(id: gone.id) == nil)
                #expect(try await posts.list(includeDeleted: true).count == 2)
                #expect(try await posts.getOne(where: \.title == "gone", includeDeleted: true).deletedAt != nil)
                #expect(try await posts.restore(id: gone.id)?.deletedAt == nil)
                #expect(try await posts.count() == 2)
                #expect(try await posts.hardDelete(id: kept.id))
            }
            #expect(try await TestDatabase.count("posts", in: schema) == 1)
        }
    }

    @Test func twoRepositoriesInOneRolledBackSessionLeaveNoTrace() async throws {
        struct Abort: Error {}
        try await withBlog { pool, schema in
            await #expect(throws: Abort.self) {
                try await pool.withSession { session in
                    let author = try await session.repository(Author.self).add(Author(id: nil, name: "A", email: "t@x.org"))
                    try await session.repository(Post.self).add(Post(id: nil, authorID: author.id ?? 0, title: "T", body: ""))
                    throw Abort()
                }
            }
            let authorCount = try await TestDatabase.count("authors", in: schema)
            let postCount = try await TestDatabase.count("posts", in: schema)
            #expect(authorCount == 0 && postCount == 0)
        }
    }

    @Test func oneShotRepositoryCommitsEachCall() async throws {
        try await withBlog { pool, schema in
            let authors = pool.autocommit.repository(Author.self)
            let ada = try await authors.add(Author(id: nil, name: "Ada", email: "one@x.org"))
            #expect(try await TestDatabase.count("authors", in: schema) == 1, "committed by the call itself")
            #expect(try await authors.get(id: ada.id)?.email == "one@x.org")
            #expect(try await authors.delete(id: ada.id))
            #expect(try await TestDatabase.count("authors", in: schema) == 0)
        }
    }

    @Test func streamAndExportSeeEveryMatchingRow() async throws {
        try await withBlog { pool, _ in
            try await pool.withSession { session in
                let authors = session.repository(Author.self)
                try await authors.addMany((1...5_000).map { Author(id: nil, name: "S\($0 % 10)", email: "e\($0)@x.org", active: $0 % 2 == 0) })
                var streamed = 0
                for try await author in try authors.stream(where: \.active == true, batchSize: 700) {
                    #expect(author.active)
                    streamed += 1
                }
                #expect(streamed == 2_500)
                var exported: [Author] = []
                for try await author in try authors.export(where: \.active == true && .likePattern(\.name, "S2%")) {
                    exported.append(author)
                }
                #expect(exported.count == 500)
                #expect(exported.allSatisfy { $0.active && $0.name == "S2" && $0.createdAt != nil })
                // An export abandoned half-way does not block the session.
                for try await _ in try authors.export() { break }
                #expect(try await authors.count() == 5_000)
            }
        }
    }
}
