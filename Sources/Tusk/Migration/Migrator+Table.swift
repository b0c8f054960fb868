#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The migrator's table and lock: the statements behind ``Migrator/migrate()`` and the listings.
extension Migrator {
    /// `"schema"."table"`, or `"table"`.
    var tableSQL: SQL { "\(ident: schema, table)" }

    /// Waits for the migrator's transaction-level advisory lock; the transaction's end releases
    /// it.
    func lock(_ session: Session) async throws {
        try await session.execute("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", timeout: timeout)
    }

    /// Whether the table exists, resolved as the migrator's statements resolve it.
    func tableExists(_ session: Session) async throws -> Bool {
        let name = try schema.map { try SQL.quoteIdentifier($0) + "." } ?? ""
        return try await session.scalar("SELECT to_regclass(\(name + SQL.quoteIdentifier(table))) IS NOT NULL", as: Bool.self)
    }

    /// Creates the table, and its schema when that is missing too. Runs under the lock: two
    /// concurrent `CREATE … IF NOT EXISTS` can still collide in the catalog.
    func createTable(_ session: Session) async throws {
        if let schema, try await session.scalar("SELECT to_regnamespace(\(try SQL.quoteIdentifier(schema))) IS NULL", as: Bool.self) {
            // Only when missing: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when
            // the schema exists.
            try await session.execute("CREATE SCHEMA \(ident: schema)")
        }
        try await session.execute("""
            CREATE TABLE \(tableSQL) (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                execution_ms double precision NOT NULL
            )
            """)
    }

    /// Every row of the table, in version order.
    func readApplied(_ session: Session) async throws -> [AppliedMigration] {
        let rows = try await session.query("SELECT version, name, checksum, applied_at, execution_ms FROM \(tableSQL) ORDER BY version")
        return try rows.map { row in
            let (version, name, checksum, appliedAt, milliseconds) = try row.decodeColumns((Int, String, String, Date, Double).self)
            return AppliedMigration(version: version, name: name, checksum: checksum, appliedAt: appliedAt,
                                    executionTime: .milliseconds(milliseconds))
        }
    }

    /// Records `migration` as applied, in the transaction that ran it.
    func record(_ migration: Migration, executionTime: Duration, in session: Session) async throws -> AppliedMigration {
        let (seconds, attoseconds) = executionTime.components
        let milliseconds = Double(seconds) * 1_000 + Double(attoseconds) / 1e15
        let appliedAt = try await session.scalar("""
            INSERT INTO \(tableSQL) (version, name, checksum, applied_at, execution_ms)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum), clock_timestamp(), \(milliseconds))
            RETURNING applied_at
            """, as: Date.self)
        return AppliedMigration(version: migration.version, name: migration.name, checksum: migration.checksum,
                                appliedAt: appliedAt, executionTime: executionTime)
    }

    /// The first 8 bytes of the SHA-256 of the qualified table name, big-endian.
    static func lockKey(schema: String?, table: String) -> Int64 {
        // NUL cannot occur in either name, so the parts cannot run into each other.
        let digest = SHA256.hash("tusk.migrator\u{0}\(schema ?? "")\u{0}\(table)".utf8)
        return digest.prefix(8).reduce(0) { $0 << 8 | Int64($1) }
    }
}
