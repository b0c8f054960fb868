import Testing
import TuskModel

/// The model of README.md's example.
@Model(table: "users")
private struct User: Equatable {
    @ID @ServerDefault var id: Int64?   // bigserial: left to the server, read back
    var email: String
    var displayName: String             // column display_name
    var active: Bool
}

/// README.md's example, line for line, so the front page cannot drift from the API.
@Suite struct ReadmeExampleTests {
    @Test func theReadmeExampleRunsAsWritten() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection {
                try await $0.execute("""
                    CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,
                                        display_name text NOT NULL, active boolean NOT NULL)
                    """)
            }
            let imported = (1...3).map { User(id: nil, email: "u\($0)@old.example", displayName: "U\($0)", active: true) }
            let feed = [User(id: nil, email: "u1@old.example", displayName: "U1 renamed", active: true),
                        User(id: nil, email: "new@example.com", displayName: "New", active: true)]

            let page = try await pool.withSession { session in
                let users = session.repository(User.self)
                let ada = try await users.add(User(id: nil, email: "ada@example.com", displayName: "Ada", active: true))
                try await users.updateWhere(.endsWith(\.email, "@old.example"), set: [.set(\.active, false)])
                try await users.addMany(imported)
                try await users.upsertMany(feed, matching: [\.email])
                return try await users.listAndCount(where: \.active == true && \.id != ada.id, orderBy: [.asc(\.email)], limit: 20)
            }

            #expect(page.total == 4, "ada excluded; the three imported rows and the new one are active")
            #expect(page.items.map(\.email) == ["new@example.com", "u1@old.example", "u2@old.example", "u3@old.example"])
            #expect(page.items.first { $0.email == "u1@old.example" }?.displayName == "U1 renamed")
        }
    }
}
