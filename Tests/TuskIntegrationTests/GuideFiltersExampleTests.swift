import Foundation
import Testing
import Tusk

// Docs/Guide.md, "Filters, sorting and pages from a request", as written there.

private let postFields = RequestFields<Post>([
    "title": .field(\.title), "body": .field(\.body), "views": .field(\.views),
    "author_id": .field(\.authorID), "published_at": .field(\.publishedAt), "id": .field(\.id),
])

// GET /posts?q=50%25_off&author_id=1,2&published_after=2024-03-01&sort=-published_at,id&limit=20&offset=0
private func listPosts(_ query: [String: String], in session: Session) async throws -> Page<Post> {
    var filter = Filter<Post>.all
    if let text = query["q"] {
        filter = try filter && postFields.search(text, in: ["title", "body"], ignoringCase: true, parameter: "q")
    }
    if let ids = query["author_id"] {
        filter = try filter && postFields.in("author_id", ids.split(separator: ",").map(String.init))
    }
    if let after = query["published_after"] {
        filter = try filter && postFields.after("published_at", after, parameter: "published_after")
    }
    let order = try postFields.order(query["sort"] ?? "-published_at,id", parameter: "sort")   // "-x": descending
    let window = try LimitOffset(limit: query["limit"], offset: query["offset"])            // 0…100, default 20
    return try await session.repository(Post.self).page(where: filter, orderBy: order, limitOffset: window)
}

// GET /feed?cursor=…  →  {"items": […], "next": "…"}; the client sends `next` back as `cursor`.
private func feed(_ query: [String: String], in session: Session) async throws -> KeysetPage<Post> {
    let cursor = try query["cursor"].map { try PageCursor(token: $0) }
    return try await session.repository(Post.self).page(orderBy: [.desc(\.views), .asc(\.id)], after: cursor, limit: 20)
}

@Suite struct GuideFiltersExampleTests {
    @Test func theGuidesRequestFiltersRunAsWritten() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await BlogSchema.create(in: pool)
            try await pool.withSession { session in
                let adaID = try #require(try await session.repository(Author.self)
                    .add(Author(id: nil, name: "Ada", email: "ada@example.com")).id)
                let graceID = try #require(try await session.repository(Author.self)
                    .add(Author(id: nil, name: "Grace", email: "grace@example.com")).id)
                let posts = session.repository(Post.self)
                let march = try #require(Date(requestText: "2024-03-01T00:00:00Z"))
                var rows: [Post] = []
                for index in 0..<45 {
                    let title = index == 7 ? "50%_off everything" : index == 8 ? "500 off" : "Post \(index)"
                    rows.append(Post(id: nil, authorID: index.isMultiple(of: 3) ? graceID : adaID, title: title, body: "…",
                                     views: Int32(index), publishedAt: march.addingTimeInterval(Double(index - 10) * 86_400)))
                }
                try await posts.addMany(rows)

                // The query string of the guide's comment, decoded as a web framework would.
                let page = try await listPosts(["q": "50%_off", "author_id": "\(adaID),\(graceID)", "published_after": "2024-02-01",
                                                "sort": "-published_at,id", "limit": "20", "offset": "0"], in: session)
                #expect(page.items.map(\.title) == ["50%_off everything"], "500 off is what the text as a pattern would add")
                #expect(page.total == 1 && page.limit == 20 && page.offset == 0)

                let recent = try await listPosts(["published_after": "2024-03-01", "author_id": "\(graceID)"], in: session)
                #expect(recent.items.map(\.views) == [42, 39, 36, 33, 30, 27, 24, 21, 18, 15, 12], "newest first, Grace's only")
                #expect(recent.total == 11)
                let json = try JSONEncoder().encode(recent)
                #expect(try JSONDecoder().decode(Page<Post>.self, from: json) == recent)

                var query: [String: String] = [:]
                var seen: [Int32] = []
                while true {
                    let body = try JSONEncoder().encode(try await feed(query, in: session))
                    let received = try JSONDecoder().decode(KeysetPage<Post>.self, from: body)
                    seen += received.items.map(\.views)
                    guard let next = received.next else { break }
                    query["cursor"] = next.token
                }
                #expect(seen == Array((0..<45).reversed()).map(Int32.init), "three pages, every post once, most viewed first")

                do {
                    _ = try await listPosts(["sort": "password"], in: session)
                    Issue.record("a sort by a field outside the whitelist must throw")
                } catch let error as RequestParameterError {
                    #expect(error.parameter == "sort")
                    #expect(error.code == .unknownField)
                }
                await #expect(throws: RequestParameterError.self) { _ = try await listPosts(["limit": "1000"], in: session) }
                await #expect(throws: RequestParameterError.self) { _ = try await feed(["cursor": "forged"], in: session) }

                let post = try await posts.add(Post(id: nil, authorID: adaID, title: "Hello", body: "…"))
                try await session.execute("UPDATE posts SET views = views + 1 WHERE id = \(post.id ?? 0)")
                let fresh = try await posts.refresh(post)       // fresh.views == 1; NotFoundError if the row is gone
                #expect(fresh.views == 1)
            }
        }
    }
}
