import Foundation
import Testing
import Tusk

/// The filters, pages and refresh against real rows.
@Suite struct FilterTests {
    static let postFields = RequestFields<Post>([
        "title": .field(\.title), "body": .field(\.body), "views": .field(\.views), "author_id": .field(\.authorID),
        "published_at": .field(\.publishedAt), "id": .field(\.id),
    ])

    static let titles = [#"50%_off sale"#, "500 off", "5000_offers", #"C:\temp path"#, "Quiet day", "Sale is ON", "Zebra"]

    /// Authors Ada and Grace, and one post per title, published a day apart from 2024-03-01
    /// (the last one unpublished).
    func withPosts(_ body: (ConnectionPool, _ ada: Int64, _ grace: Int64) async throws -> Void) async throws {
        try await TestDatabase.withPool { pool, _ in
            try await BlogSchema.create(in: pool)
            let (ada, grace) = try await pool.withSession { session in
                let authors = session.repository(Author.self)
                let ada = try await authors.add(Author(id: nil, name: "Ada", email: "ada@example.com"))
                let grace = try await authors.add(Author(id: nil, name: "Grace", email: "grace@example.com"))
                let posts = session.repository(Post.self)
                let start = try #require(Date(requestText: "2024-03-01T00:00:00Z"))
                for (index, title) in Self.titles.enumerated() {
                    let published = index == Self.titles.count - 1 ? nil : start.addingTimeInterval(Double(index) * 86_400)
                    try await posts.add(Post(id: nil, authorID: (index.isMultiple(of: 2) ? ada.id : grace.id) ?? 0, title: title,
                                             body: index == 4 ? "Nothing happened" : "text", views: Int32(index * 10),
                                             publishedAt: published))
                }
                return (ada.id ?? 0, grace.id ?? 0)
            }
            try await body(pool, ada, grace)
        }
    }

    @Test func userTextIsMatchedLiterally() async throws {
        try await withPosts { pool, _, _ async throws in
            let posts = pool.autocommit.repository(Post.self)
            #expect(try await posts.list(where: .contains(\.title, "50%_off")).map(\.title).sorted() == [#"50%_off sale"#])
            #expect(try await posts.list(where: .likePattern(\.title, "%50%_off%")).map(\.title).sorted() == [#"50%_off sale"#, "500 off", "5000_offers"],
                    "the same text as a pattern matches what the escaped search must not")
            #expect(try await posts.list(where: .startsWith(\.title, "50%")).map(\.title).sorted() == [#"50%_off sale"#])
            #expect(try await posts.list(where: .contains(\.title, "_")).map(\.title).sorted() == [#"50%_off sale"#, "5000_offers"])
            #expect(try await posts.list(where: .contains(\.title, #"\"#)).map(\.title).sorted() == [#"C:\temp path"#])
            #expect(try await posts.list(where: .endsWith(\.title, #":\temp path"#)).map(\.title).sorted() == [#"C:\temp path"#])
            #expect(try await posts.list(where: .contains(\.title, "sale")).map(\.title).sorted() == [#"50%_off sale"#])
            #expect(try await posts.list(where: .contains(\.title, "sale", ignoringCase: true)).map(\.title).sorted() == [#"50%_off sale"#, "Sale is ON"])
        }
    }

    @Test func searchOrsFieldsFromARequest() async throws {
        try await withPosts { pool, _, _ in
            let posts = pool.autocommit.repository(Post.self)
            let filter = try Self.postFields.search("NOTHING", in: ["title", "body"], ignoringCase: true, parameter: "q")
            #expect(try await posts.list(where: filter).map(\.title).sorted() == ["Quiet day"])
            let both = try Self.postFields.search("on", in: ["title", "body"], ignoringCase: true)
            #expect(try await posts.list(where: both).map(\.title).sorted() == ["Sale is ON"])
            let literal = try Self.postFields.search("%", in: ["title", "body"])
            #expect(try await posts.list(where: literal).map(\.title).sorted() == [#"50%_off sale"#])
        }
    }

    @Test func beforeAndAfterOnADateColumn() async throws {
        try await withPosts { pool, _, _ in
            let posts = pool.autocommit.repository(Post.self)
            let after = try Self.postFields.after("published_at", "2024-03-05", inclusive: true, parameter: "published_after")
            #expect(try await posts.list(where: after).map(\.title).sorted() == ["Quiet day", "Sale is ON"], "2024-03-05 and 03-06; NULL never matches")
            let before = try Self.postFields.before("published_at", "2024-03-02T00:00:00Z")
            #expect(try await posts.list(where: before).map(\.title).sorted() == [#"50%_off sale"#])
            let window = try Self.postFields.after("published_at", "2024-03-01T00:00:00Z")
                && Self.postFields.before("published_at", "2024-03-04T00:00:00Z", inclusive: true)
            #expect(try await posts.list(where: window).map(\.title).sorted() == ["500 off", "5000_offers", #"C:\temp path"#])
            let cutoff = try #require(Date(requestText: "2024-03-06"))
            #expect(try await posts.count(where: .before(\.publishedAt, cutoff)) == 5)
        }
    }

    @Test func inAndNotInIncludingEmptyLists() async throws {
        try await withPosts { pool, ada, grace async throws in
            let posts = pool.autocommit.repository(Post.self)
            #expect(try await posts.count(where: Self.postFields.in("author_id", [String(ada)])) == 4)
            #expect(try await posts.count(where: Self.postFields.in("author_id", [String(ada), String(grace)])) == 7)
            #expect(try await posts.count(where: Self.postFields.notIn("author_id", [String(ada)])) == 3)
            #expect(try await posts.count(where: Self.postFields.in("author_id", [])) == 0, "in [] is false")
            #expect(try await posts.count(where: Self.postFields.notIn("author_id", [])) == 7, "not in [] is true")
            #expect(try await posts.count(where: .notIn(\.publishedAt, [])) == 7, "even for rows whose column is NULL")
            #expect(try await posts.count(where: .in(\.views, [0, 20, 999])) == 2)
        }
    }

    @Test func nullAndNotNull() async throws {
        try await withPosts { pool, _, _ async throws in
            let posts = pool.autocommit.repository(Post.self)
            #expect(try await posts.list(where: Self.postFields.isNull("published_at", "true")).map(\.title).sorted() == ["Zebra"])
            #expect(try await posts.count(where: Self.postFields.isNull("published_at", "false")) == 6)
        }
    }

    @Test func badRequestsThrowBeforeAnythingIsSent() async throws {
        try await withPosts { pool, _, _ in
            try await pool.withSession { session async throws in
                let posts = session.repository(Post.self)
                let before = await session.statistics
                await #expect(throws: RequestParameterError.self) {
                    _ = try await posts.list(where: Self.postFields.in("views", ["1; DROP TABLE posts"]))
                }
                await #expect(throws: RequestParameterError.self) {
                    _ = try await posts.list(orderBy: try Self.postFields.order("password", parameter: "sort"))
                }
                #expect(await session.statistics.roundTrips == before.roundTrips)
                #expect(try await posts.count() == 7, "the session is still usable")
            }
        }
    }

    @Test func offsetPageCountsInOneRoundTripAndRoundTripsThroughJSON() async throws {
        try await withPosts { pool, _, _ in
            try await pool.withSession { session in
                let posts = session.repository(Post.self)
                let window = try LimitOffset(limit: "2", offset: "2")
                let order = try Self.postFields.order("-views", parameter: "sort")
                #expect(try await posts.count() == 7, "the transaction has begun: BEGIN is not counted below")
                let before = await session.statistics
                let page = try await posts.page(where: .isNotNull(\.publishedAt), orderBy: order, limitOffset: window)
                #expect(await session.statistics.statements - before.statements == 1, "page and count in one query")
                #expect(page.items.map(\.title) == [#"C:\temp path"#, "5000_offers"], "views 50, 40, then these two")
                #expect(page.total == 6)
                #expect(page.limit == 2 && page.offset == 2)
                let decoded = try JSONDecoder().decode(Page<Post>.self, from: try JSONEncoder().encode(page))
                #expect(decoded == page)
                let pastTheEnd = try await posts.page(orderBy: order, limitOffset: try LimitOffset(limit: 5, offset: 50))
                #expect(pastTheEnd.items.isEmpty && pastTheEnd.total == 7)
                #expect(try await posts.list(orderBy: order, limitOffset: window).map(\.title) == ["Quiet day", #"C:\temp path"#])
            }
        }
    }

    @Test func keysetPagesWalkEveryRowOnceThroughJSON() async throws {
        try await withPosts { pool, _, _ in
            try await pool.withSession { session in
                let posts = session.repository(Post.self)
                let order: [Order<Post>] = [.desc(\.views), .asc(\.id)]
                #expect(try await posts.count() == 7, "the transaction has begun, so each page below is its query alone")
                var seen: [String] = []
                var cursor: PageCursor?
                var pages = 0
                repeat {
                    let before = await session.statistics
                    let page = try await posts.page(orderBy: order, after: cursor, limit: 3)
                    #expect(await session.statistics.statements - before.statements == 1, "page \(pages): page and next cursor in one query (a new statement text may cost a Parse round trip first)")
                    // As a JSON API would: encode, send, and read the cursor back from the client.
                    let json = try JSONEncoder().encode(page)
                    let received = try JSONDecoder().decode(KeysetPage<Post>.self, from: json)
                    #expect(received == page)
                    seen += received.items.map(\.title)
                    cursor = try received.next.map { try PageCursor(token: $0.token) }
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(pages == 3)
                #expect(seen == Self.titles.reversed(), "views descending, each row once")
            }
        }
    }

    @Test func aCursorForAnotherOrderIsRefusedAndTheSessionGoesOn() async throws {
        try await withPosts { pool, _, _ in
            try await pool.withSession { session in
                let posts = session.repository(Post.self)
                let first = try await posts.page(orderBy: [.desc(\.views), .asc(\.id)], after: nil, limit: 2)
                let next = try #require(first.next)
                let error = await #expect(throws: RequestParameterError.self) {
                    _ = try await posts.page(orderBy: [.asc(\.title), .asc(\.id)], after: next, limit: 2)
                }
                #expect(error?.code == .invalidValue)
                let retyped = try PageCursor(token: next.token)
                let filtered = try await posts.page(where: \.authorID > 0, orderBy: [.desc(\.views), .asc(\.id)], after: retyped, limit: 2)
                #expect(filtered.items.map(\.title) == ["Quiet day", #"C:\temp path"#])
            }
        }
    }

    @Test func refreshReadsServerSideChangesIntoTheIdentityMap() async throws {
        try await withPosts { pool, ada, _ in
            try await pool.withSession { session in
                let posts = session.repository(Post.self)
                let post = try await posts.add(Post(id: nil, authorID: ada, title: "Draft", body: "b"))
                try await session.execute("""
                    CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN NEW.views := NEW.views + 100; RETURN NEW; END $$
                    """)
                try await session.execute("CREATE TRIGGER stamp BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION stamp()")
                try await session.execute("UPDATE posts SET title = 'Published' WHERE id = \(post.id ?? 0)")
                let fresh = try await posts.refresh(post)
                #expect(fresh.title == "Published")
                #expect(fresh.views == 100, "what the trigger wrote")
                let before = await session.statistics
                #expect(try await posts.get(id: post.id) == fresh, "the identity map holds the fresh row")
                #expect(await session.statistics.roundTrips == before.roundTrips)

                try await session.execute("DELETE FROM posts WHERE id = \(post.id ?? 0)")
                let gone = await #expect(throws: NotFoundError.self) { _ = try await posts.refresh(fresh) }
                #expect(gone?.entity == "posts")
                let unsaved = await #expect(throws: RepositoryError.self) {
                    _ = try await posts.refresh(Post(id: nil, authorID: ada, title: "x", body: "y"))
                }
                #expect(unsaved?.code == .invalidArgument)
            }
        }
    }

    @Test func autocommitPagesAndRefresh() async throws {
        try await withPosts { pool, _, _ in
            let posts = pool.autocommit.repository(Post.self)
            let page = try await posts.page(where: .contains(\.title, "off"), orderBy: [.asc(\.id)], limitOffset: try LimitOffset(limit: 1))
            #expect(page.total == 3 && page.items.map(\.title) == [#"50%_off sale"#])
            let keyset = try await posts.page(orderBy: [.asc(\.id)], after: nil, limit: 6)
            let rest = try await posts.page(orderBy: [.asc(\.id)], after: keyset.next, limit: 6)
            #expect(rest.items.map(\.title) == ["Zebra"] && rest.next == nil)
            let zebra = try #require(rest.items.first)
            try await posts.updateWhere(\.id == zebra.id, set: [.set(\.views, 7)])
            #expect(try await posts.refresh(zebra).views == 7)
            #expect(try await posts.list(orderBy: [.asc(\.id)], limitOffset: try LimitOffset(limit: 1, offset: 6)) == [posts.refresh(zebra)])
        }
    }
}
