import Foundation
import Testing
import Tusk

@Suite struct SmokeTests {
    @Test func basics() async throws {
        try await TestDatabase.withSchema { connection, _ in
            let result = try await connection.query("SELECT \(Int64(42))::int8 AS answer, \("hé 🐘") AS text, \(true) AS flag")
            #expect(try result[0].decode(Int64.self, at: 0) == 42)
            #expect(try result[0].decode(String.self, column: "text") == "hé 🐘")
            let (answer, text, flag) = try result[0].decodeColumns((Int64, String, Bool).self)
            #expect(answer == 42 && text == "hé 🐘" && flag)
            try await connection.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz)")
            let inserted = try await connection.execute("INSERT INTO items (id, name, created_at) VALUES (\(1), \("one"), \(Date()))")
            #expect(inserted == 1)
            let outcomes = try await connection.pipeline((2...100).map { "INSERT INTO items (id, name) VALUES (\($0), \("n\($0)"))" })
            #expect(outcomes.count == 99)
            let count = try await connection.query("SELECT count(*) FROM items")
            #expect(try count[0].decode(Int.self, at: 0) == 100)
            struct Item: Decodable { var id: Int64; var name: String; var createdAt: Date? }
            let items = try await connection.query("SELECT * FROM items ORDER BY id").decode(Item.self)
            #expect(items.count == 100)
            #expect(items[1].name == "n2")
        }
    }
}
