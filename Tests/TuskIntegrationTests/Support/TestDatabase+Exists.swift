import Tusk

extension TestDatabase {
    /// Whether `relation` (a table name, optionally schema-qualified) exists, resolved with
    /// `schema` as the search path, seen from a connection of its own.
    static func exists(_ relation: String, in schema: String) async throws -> Bool {
        let observer = try await connect(schema: schema)
        defer { Task { await observer.close() } }
        return try await observer.query("SELECT to_regclass(\(relation)) IS NOT NULL")[0].decode(Bool.self, at: 0)
    }
}
