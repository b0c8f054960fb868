import Foundation
import Tusk

// The blog of Docs/Guide.md, in a schema of its own (`blog`), with one addition: a post has a
// unique `slug`, the natural key that `POST /posts/upsert` matches on.
//
// The same values are written to clients: the response encoder turns property names into
// snake_case (`created_at`), matching the columns.

/// The schema every table of the example lives in, so it never meets other tables of the database.
let blogSchema = "blog"

/// A writer of posts.
struct Author: Model {
    static let schemaName: String? = blogSchema
    static let tableName = "authors"
    static let serverGenerated: Set<String> = ["id", "created_at"]   // bigserial, DEFAULT now()
    var id: Int64?
    var name: String
    var email: String
    var active: Bool = true
    var createdAt: Date?
}

/// A post; deleting one marks `deleted_at`, and reads skip marked posts.
struct Post: Model, SoftDeletable {
    static let schemaName: String? = blogSchema
    static let tableName = "posts"
    var id: Int64?
    var authorID: Int64
    var slug: String
    var title: String
    var body: String
    var views: Int32 = 0
    var publishedAt: Date?
    var deletedAt: Date?

    enum CodingKeys: String, CodingKey {    // authorID would map to author_i_d: name it
        case id, authorID = "author_id", slug, title, body, views, publishedAt, deletedAt
    }
}

/// A tag on a post, with a weight; the key is the pair.
struct PostTag: Model {
    struct Key: Encodable, Sendable { var postID: Int64; var tag: String }
    static let schemaName: String? = blogSchema
    static let tableName = "post_tags"
    static let primaryKey = ["post_id", "tag"]
    static let serverGenerated: Set<String> = []
    var postID: Int64
    var tag: String
    var weight: Int32
    var id: Key { Key(postID: postID, tag: tag) }
}

/// The tables, created at start-up when they are missing. Every statement is `IF NOT EXISTS`,
/// so a restart finds the tables and keeps their rows. (Two instances starting at the same
/// instant on an empty database can still race on the catalog; a real service runs its
/// migrations once, before it scales out.)
enum BlogSchema {
    static let script: SQL = """
        SET client_min_messages = warning;  -- no "already exists, skipping" notices on a restart
        CREATE SCHEMA IF NOT EXISTS blog;
        CREATE TABLE IF NOT EXISTS blog.authors (
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            email text NOT NULL UNIQUE,
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS blog.posts (
            id bigserial PRIMARY KEY,
            author_id bigint NOT NULL REFERENCES blog.authors,
            slug text NOT NULL UNIQUE,
            title text NOT NULL,
            body text NOT NULL,
            views int NOT NULL DEFAULT 0,
            published_at timestamptz,
            deleted_at timestamptz);
        CREATE INDEX IF NOT EXISTS posts_author_id ON blog.posts (author_id);
        CREATE TABLE IF NOT EXISTS blog.post_tags (
            post_id bigint NOT NULL REFERENCES blog.posts ON DELETE CASCADE,
            tag text NOT NULL,
            weight int NOT NULL,
            PRIMARY KEY (post_id, tag));
        CREATE INDEX IF NOT EXISTS post_tags_tag ON blog.post_tags (tag);
        RESET client_min_messages;
        """

    /// Creates whatever is missing, on one pooled connection.
    static func create(in pool: ConnectionPool) async throws {
        try await pool.withConnection { try await $0.executeScript(script) }
    }
}
