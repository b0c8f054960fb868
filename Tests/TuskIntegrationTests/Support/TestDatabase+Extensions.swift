import Tusk

extension TestDatabase {
    /// Installs `citext` (in `public`) once for the whole database and returns the schema it lives
    /// in, or nil when the server does not have it. Suites running in parallel share the
    /// extension: two concurrent `CREATE EXTENSION IF NOT EXISTS` can both miss the other's
    /// uncommitted row and one fails with 23505, so creators take turns under an advisory lock.
    static func installedCitextSchema(_ pool: ConnectionPool) async throws -> String? {
        try await pool.withSession { session in
            guard try await session.query("SELECT 1 FROM pg_available_extensions WHERE name = 'citext'").count == 1 else { return nil }
            try await session.execute("SELECT pg_advisory_xact_lock(hashtext('tusk-tests: CREATE EXTENSION'))")
            try await session.execute("CREATE EXTENSION IF NOT EXISTS citext SCHEMA public")
            return try await session.query("""
                SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'citext'
                """).first?.decode(String.self, at: 0)
        }
    }
}
