import Hummingbird
import Tusk

// What clients get back. Models are written as they are (the context's encoder makes the keys
// snake_case); a post carries its tags.

extension Author: ResponseEncodable {}

/// A tag and its weight, as stored and as written: `{"tag": "swift", "weight": 2}`.
struct TagWeight: Codable, Sendable {
    var tag: String
    var weight: Int32
}

/// A post with its tags, heaviest first: the post's own fields plus `"tags": [...]`.
struct PostView: ResponseEncodable {
    var post: Post
    var tags: [TagWeight]

    init(post: Post, tags: [TagWeight]) {
        self.post = post
        self.tags = tags.sorted { ($0.weight, $1.tag) > ($1.weight, $0.tag) }
    }

    init(post: Post, rows: [PostTag]) {
        self.init(post: post, tags: rows.map { TagWeight(tag: $0.tag, weight: $0.weight) })
    }

    private enum Key: String, CodingKey { case tags }

    func encode(to encoder: any Encoder) throws {
        try post.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(tags, forKey: .tags)
    }
}

/// One page of a listing, with the total number of matching rows.
struct Page<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
    var total: Int
    var limit: Int
    var offset: Int
}

/// The answer to `POST /posts/import`.
struct ImportResult: ResponseEncodable {
    var imported: Int
}

/// The answer to `GET /health`.
struct Health: ResponseEncodable {
    var status: String
}
