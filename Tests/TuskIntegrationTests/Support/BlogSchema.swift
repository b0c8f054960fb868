import Foundation
import Tusk

/// The blog of Docs/Guide.md: authors, posts (soft-deletable), tags and a composite-key join.
struct Author: Model, Equatable {
    static let tableName = "authors"
    static let serverGenerated: Set<String> = ["id", "created_at"]
    var id: Int64?
    var name: String
    var email: String
    var active: Bool = true
    var createdAt: Date?
}

struct Post: Model, SoftDeletable, Equatable {
    static let tableName = "posts"
    var id: Int64?
    var authorID: Int64
    var title: String
    var body: String
    var views: Int32 = 0
    var publishedAt: Date?
    var deletedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, authorID = "author_id", title, body, views, publishedAt, deletedAt
    }
}

struct PostTag: Model, Equatable {
    struct Key: Encodable, Sendable { var postID: Int64; var tag: String }
    static let tableName = "post_tags"
    static let primaryKey = ["post_id", "tag"]
    static let serverGenerated: Set<String> = []
    var postID: Int64
    var tag: String
    var weight: Int32
    var id: Key { Key(postID: postID, tag: tag) }
}

extension Repository where M == Author {
    /// A domain query living in an extension, as the seeds' `find_by_email`.
    func findByEmail(_ email: String) async throws -> Author? {
        try await getOneOrNone(where: \.email == email)
    }
}

enum BlogSchema {
    static let create: SQL = """
        CREATE TABLE authors (
            id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE,
            active boolean NOT NULL DEFAULT true, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE posts (
            id bigserial PRIMARY KEY, author_id bigint NOT NULL REFERENCES authors, title text NOT NULL,
            body text NOT NULL, views int NOT NULL DEFAULT 0, published_at timestamptz, deleted_at timestamptz);
        CREATE TABLE post_tags (
            post_id bigint NOT NULL REFERENCES posts, tag text NOT NULL, weight int NOT NULL, PRIMARY KEY (post_id, tag))
        """

    static func create(in pool: ConnectionPool) async throws {
        try await pool.withConnection { try await $0.executeScript(create) }
    }

    /// Runs `body` with a pool over a fresh schema holding the blog's tables.
    static func withBlog<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await TestDatabase.withPool { pool, schema in
            try await create(in: pool)
            return try await body(pool, schema)
        }
    }
}
