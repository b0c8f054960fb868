import Foundation
import TuskModel

/// The blog of Docs/Guide.md, declared with `@Model` as the guide does: authors, posts
/// (soft-deletable), and a composite-key join.
@Model(table: "authors")
struct Author: Equatable {
    @ID @ServerDefault var id: Int64?      // bigserial
    var name: String
    var email: String
    var active: Bool = true
    @ServerDefault var createdAt: Date?    // DEFAULT now()
}

@Model(table: "posts")
struct Post: SoftDeletable, Equatable {   // delete marks deleted_at instead of removing the row
    @ID @ServerDefault var id: Int64?
    @Column("author_id") var authorID: Int64
    var title: String
    var body: String
    var views: Int32 = 0
    var publishedAt: Date?
    var deletedAt: Date?
}

@Model(table: "post_tags")
struct PostTag: Equatable {                // a composite primary key: PostTag.ID(postID:tag:)
    @ID var postID: Int64
    @ID var tag: String
    var weight: Int32
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
