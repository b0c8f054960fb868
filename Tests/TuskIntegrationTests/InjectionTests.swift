import Testing
import Tusk

@Suite struct InjectionTests {
    static let hostile = [
        "'; DROP TABLE notes; --", "$1", "$1::text", "\\", "\\'", "''", "\"", "\" OR 1=1 --",
        "%_", "line\nbreak", "tab\there", "E'\\x41'", "$$ dollar $$", "Robert'); DROP TABLE students;--",
    ]

    @Test func hostileValuesAreStoredAndReadBackVerbatim() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")
            for value in Self.hostile {
                try await connection.execute("INSERT INTO notes (body) VALUES (\(value))")
            }
            let bodies = try await connection.query("SELECT body FROM notes ORDER BY id").map { try $0.decode(String.self, at: 0) }
            #expect(bodies == Self.hostile)
            for value in Self.hostile {
                let count = try await connection.query("SELECT count(*) FROM notes WHERE body = \(value)")
                #expect(try count[0].decode(Int.self, at: 0) == 1, "matched \(value.debugDescription) exactly once")
            }
            #expect(try await connection.query("SELECT to_regclass('notes') IS NOT NULL")[0].decode(Bool.self, at: 0))
        }
    }

    @Test func identifiersWithQuotesAndSpacesAreQuoted() async throws {
        try await TestDatabase.withSchema { connection, _ in
            let table = "my \"odd\" table"
            let column = "col; DROP TABLE x"
            try await connection.execute("CREATE TABLE \(ident: table) (\(ident: column) int)")
            try await connection.execute("INSERT INTO \(ident: table) (\(ident: column)) VALUES (\(Int32(7)))")
            let result = try await connection.query("SELECT \(ident: column) FROM \(ident: table)")
            #expect(result.columnNames == [column])
            #expect(try result[0].decode(Int32.self, at: 0) == 7)
            let names = try await connection.query("SELECT relname FROM pg_class WHERE relname = \(table)")
            #expect(names.count == 1)
        }
    }
}
