import Foundation
import TuskModel

/// The blog of Docs/Guide.md §5: authors, posts and tags with their relations declared, over
/// the tables of ``BlogSchema`` plus `tags` and the join table `post_tag_links`. A namespace, so
/// the guide's names (`Author`, `Post`, `Tag`) read as in the guide without clashing with
/// BlogSchema's plain models.
enum RelationsBlog {
    @Model(table: "authors")
    struct Author: Equatable, HasRelations {
        @ID @ServerDefault var id: Int64?
        var name: String
        var email: String
        var active: Bool = true
        @ServerDefault var createdAt: Date?
        var posts = Related<[Post]>()

        static let relations: [Relation<Author>] = [
            .hasMany(\.posts, foreignKey: \Post.authorID, references: \.id, orderBy: [.asc(\.id)]),
        ]
    }

    @Model(table: "posts")
    struct Post: SoftDeletable, Equatable, HasRelations {
        @ID @ServerDefault var id: Int64?
        var authorID: Int64
        var title: String
        var body: String
        var views: Int32 = 0
        var publishedAt: Date?
        var deletedAt: Date?
        var author = Related<Author?>()
        var tags = Related<[Tag]>()

        static let relations: [Relation<Post>] = [
            .belongsTo(\.author, foreignKey: \.authorID, references: \Author.id),
            .manyToMany(\.tags, ownerKey: \.id, through: \PostTagLink.postID, \PostTagLink.tagID, targetKey: \Tag.id,
                        orderBy: [.asc(\.name)]),
        ]
    }

    @Model(table: "tags")
    struct Tag: Equatable {
        @ID @ServerDefault var id: Int64?
        var name: String
    }

    /// A belongs-to with a nullable key, to a soft-deletable parent.
    @Model(table: "comments")
    struct Comment: Equatable, HasRelations {
        @ID @ServerDefault var id: Int64?
        var postID: Int64?
        var text: String
        var post = Related<Post?>()

        static let relations: [Relation<Comment>] = [
            .belongsTo(\.post, foreignKey: \.postID, references: \Post.id),
        ]
    }

    @Model(table: "post_tag_links")
    struct PostTagLink {
        @ID var postID: Int64
        @ID var tagID: Int64
    }

    static let createTags: SQL = """
        CREATE TABLE tags (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
        CREATE TABLE post_tag_links (
            post_id bigint NOT NULL REFERENCES posts, tag_id bigint NOT NULL REFERENCES tags, PRIMARY KEY (post_id, tag_id));
        CREATE TABLE comments (id bigserial PRIMARY KEY, post_id bigint REFERENCES posts, text text NOT NULL)
        """

    /// Runs `body` with a pool over a fresh schema holding the blog's tables and the tags.
    static func withPool<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await TestDatabase.withPool { pool, schema in
            try await BlogSchema.create(in: pool)
            try await pool.withConnection { try await $0.executeScript(createTags) }
            return try await body(pool, schema)
        }
    }
}
