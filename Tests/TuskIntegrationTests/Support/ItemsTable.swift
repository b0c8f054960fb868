import Tusk

/// The `items` table several suites work on, and its model.
enum ItemsTable {
    struct Item: Model {
        static let tableName = "items"
        var id: Int64?
        var name: String
        var quantity: Int32
    }

    /// Creates `items` in the pool's schema.
    static func create(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { connection in
            try await connection.execute("CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, quantity int NOT NULL DEFAULT 0 CHECK (quantity >= 0))")
        }
    }
}
