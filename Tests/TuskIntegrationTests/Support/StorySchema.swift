import Foundation
import TuskModel

/// A blog story under audit columns and optimistic locking. Its table has no defaults for the
/// timestamps: what is stored there, Tusk wrote.
@Model(table: "stories")
struct Story: Auditable, Versioned, Equatable {
    @ID @ServerDefault var id: Int64?
    var slug: String
    var title: String
    var views: Int32 = 0
    var createdAt: Date?
    var updatedAt: Date?
    var version: Int64 = 1
}

enum StorySchema {
    static let create: SQL = """
        CREATE TABLE stories (
            id bigserial PRIMARY KEY, slug text NOT NULL UNIQUE, title text NOT NULL, views int NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version bigint NOT NULL DEFAULT 1)
        """

    /// Runs `body` with a pool over a fresh schema holding the blog and the stories.
    static func withPool<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await TestDatabase.withPool { pool, schema in
            try await BlogSchema.create(in: pool)
            try await pool.withConnection { try await $0.executeScript(create) }
            return try await body(pool, schema)
        }
    }
}
