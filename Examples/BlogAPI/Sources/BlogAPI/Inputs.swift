import Foundation
import Hummingbird
import Tusk

// What clients send. Decoding checks the shape (missing fields, wrong types: 400); `validated`
// checks the values (empty strings, bad slugs: 422). Nothing reaches the database before both.

/// The body of `POST /authors`.
struct NewAuthor: Decodable {
    var name: String
    var email: String
    var active: Bool?

    /// The author to insert.
    func validated() throws(APIError) -> Author {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw .invalid("name must not be empty") }
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines)
        guard email.count <= 320, let at = email.firstIndex(of: "@"), at != email.startIndex, email.index(after: at) != email.endIndex else {
            throw .invalid("email must look like name@host")
        }
        return Author(id: nil, name: name, email: email, active: active ?? true, createdAt: nil)
    }
}

/// The body of `POST /posts` and `POST /posts/upsert`, and one element of `POST /posts/import`.
struct PostInput: Decodable {
    var authorID: Int64
    var slug: String
    var title: String
    var body: String
    var views: Int32?
    var publishedAt: Date?
    /// The post's tags; nil leaves an existing post's tags as they are (on upsert).
    var tags: [TagInput]?

    enum CodingKeys: String, CodingKey {
        case authorID = "author_id", slug, title, body, views, publishedAt = "published_at", tags
    }

    /// The post to write, without an id (the server assigns it; an upsert matches on the slug).
    func validated() throws(APIError) -> Post {
        guard slug.utf8.count <= 200, !slug.isEmpty,
              slug.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw .invalid("slug must be 1 to 200 characters of a-z, 0-9 and -, got \(slug.debugDescription)")
        }
        guard !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .invalid("title must not be empty") }
        if let views, views < 0 { throw .invalid("views must not be negative") }
        return Post(id: nil, authorID: authorID, slug: slug, title: title, body: body, views: views ?? 0,
                    publishedAt: publishedAt, deletedAt: nil)
    }

    /// The tags, checked: each named once, 1 to 50 bytes long. Nil when the body had none.
    func validatedTags() throws(APIError) -> [TagWeight]? {
        guard let tags else { return nil }
        var seen = Set<String>()
        return try tags.map { input throws(APIError) in
            guard !input.tag.isEmpty, input.tag.utf8.count <= 50 else {
                throw .invalid("a tag must be 1 to 50 bytes long, got \(input.tag.debugDescription)")
            }
            guard seen.insert(input.tag).inserted else { throw .invalid("tag \(input.tag.debugDescription) is listed twice") }
            return TagWeight(tag: input.tag, weight: input.weight ?? 1)
        }
    }
}

/// One tag of a post, as sent: `{"tag": "swift", "weight": 2}`; the weight defaults to 1.
struct TagInput: Decodable {
    var tag: String
    var weight: Int32?
}

/// The query of `GET /posts`: `author_id`, `tag`, `limit` (1…100, default 20), `offset` (≥ 0)
/// and `order` (a column of posts, `-` in front for descending, default `id`).
struct PostListQuery {
    /// At most this many posts per page.
    static let maxLimit = 100

    var filter: Filter<Post>?
    var order: [Order<Post>]
    var limit: Int
    var offset: Int

    /// Reads the query string; any value that does not parse is a 400 naming it.
    init(_ query: Parameters) throws(APIError) {
        var filters: [Filter<Post>] = []
        if let raw = query.get("author_id") {
            guard let authorID = Int64(raw) else { throw .badRequest("author_id must be an integer, got \(raw.debugDescription)") }
            filters.append(\.authorID == authorID)
        }
        if let tag = query.get("tag") {
            filters.append(.sql("id IN (SELECT post_id FROM \(ident: blogSchema, PostTag.tableName) WHERE tag = \(tag))"))
        }
        filter = filters.reduce(nil) { combined, next in combined.map { $0 && next } ?? next }

        limit = try Self.integer(query, "limit", default: 20, in: 1...Self.maxLimit)
        offset = try Self.integer(query, "offset", default: 0, in: 0...Int(Int32.max))

        let raw = query.get("order") ?? "id"
        let descending = raw.hasPrefix("-")
        let column = descending ? String(raw.dropFirst()) : raw
        do {
            order = [try Order<Post>(column: column, direction: descending ? "desc" : "asc")]
        } catch let error as RepositoryError {
            throw .badRequest("order: \(error.message)", code: "unknown_order_column")
        } catch {
            throw .badRequest("order: \(error)", code: "unknown_order_column")
        }
        // Pages stay stable when the sort column has ties.
        if column != "id" { order.append(.asc(\.id)) }
    }

    private static func integer(_ query: Parameters, _ name: String, default value: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let raw = query.get(name) else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw .badRequest("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(raw.debugDescription)")
        }
        return number
    }
}
