import Foundation
import TuskModel

/// A tag of the blog: one row per name (the unique-row pattern).
@Model(table: "tags")
struct Tag: Equatable {
    @ID @ServerDefault var id: Int64?
    var name: String
    var uses: Int32 = 0
}

/// A blog article with a unique slug made from its title.
@Model(table: "articles")
struct Article: Sluggable, Equatable {
    @ID @ServerDefault var id: Int64?
    var title: String
    var slug: String = ""
}

/// An article table whose slug column has no unique constraint.
@Model(table: "drafts")
struct Draft: Sluggable {
    @ID @ServerDefault var id: Int64?
    var title: String
    var slug: String = ""
}

enum UniqueSchema {
    static let create: SQL = """
        CREATE TABLE tags (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, uses int NOT NULL DEFAULT 0);
        CREATE TABLE articles (id bigserial PRIMARY KEY, title text NOT NULL, slug text NOT NULL UNIQUE);
        CREATE TABLE drafts (id bigserial PRIMARY KEY, title text NOT NULL, slug text NOT NULL)
        """

    /// The blog's tables and these, in a fresh schema.
    static func withBlog<T>(max: Int = 4, min: Int = 0, _ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await TestDatabase.withPool(min: min, max: max) { pool, schema in
            try await BlogSchema.create(in: pool)
            try await pool.withConnection { try await $0.executeScript(create) }
            return try await body(pool, schema)
        }
    }
}
