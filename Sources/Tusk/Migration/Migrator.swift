import Logging

/// Applies ``Migration``s to a database in version order, each in a transaction of its own, and
/// records them in a table (`tusk_migrations` by default) — once, however many app instances
/// start together.
///
/// ```swift
/// let migrator = try Migrator(pool: pool, migrations: [
///     Migration(version: 1, name: "create_authors", sql: "CREATE TABLE authors (id bigserial PRIMARY KEY, email text NOT NULL)"),
///     Migration(version: 2, name: "authors_email_unique", sql: "CREATE UNIQUE INDEX authors_email ON authors (lower(email))"),
/// ])
/// for migration in try await migrator.migrate() {
///     logger.info("applied migration \(migration.version) \(migration.name) in \(migration.executionTime)")
/// }
/// ```
///
/// ## Each migration is one transaction
///
/// A migration's work and its row in the table commit together: a migration that fails leaves
/// nothing of itself and is not recorded, while the migrations before it in the same run stay
/// applied. The run stops at the first failure and throws ``MigrationError/Code/migrationFailed``
/// naming it. Statements that cannot run in a transaction block (`CREATE INDEX CONCURRENTLY`)
/// cannot be migrations.
///
/// ## Refusals
///
/// The migrator runs nothing when the applied migrations are not what the code describes: an
/// applied migration whose checksum changed (``MigrationError/Code/checksumMismatch``), an applied
/// version the code does not know (``MigrationError/Code/unknownVersion``; newer code ran, or a
/// migration was deleted — see ``ignoresUnknownVersions`` for rolling deploys), a pending
/// migration below an applied version (``MigrationError/Code/outOfOrder``). Mistakes in the list
/// itself — two migrations with one version, a script with `COMMIT` in it — are thrown by `init`.
///
/// ## Concurrency: a transaction-level advisory lock per migration
///
/// Every transaction the migrator runs — creating the table, then each migration — first takes
/// `pg_advisory_xact_lock` on ``advisoryLockKey`` and then reads the table again, under the lock, at read committed (so it sees what the previous holder committed). A migration another
/// instance applied meanwhile is skipped, not run twice and not an error: the instance that loses
/// the race returns without it. The server releases the lock with the transaction's commit or
/// rollback.
///
/// The lock is not a session-level `pg_advisory_lock` held for the whole run, because a session
/// lock belongs to one connection: the migrations would have to run on that very connection, or
/// — run in sessions from the pool while another pooled connection holds the lock — deadlock a
/// pool of one connection, and a lock whose unlock never ran (a lost connection, a cancelled
/// task) would stay held by a connection returned to the pool, blocking every other instance.
/// A transaction lock cannot outlive its transaction, needs no connection of its own, and works
/// with a pool of any size. The cost is one lock round trip and one read of the table per
/// migration, and that two instances may share the work of one run (each returns what it
/// applied).
///
/// Listings (``pending()``, ``applied()``) read without the lock and never create the table.
public struct Migrator: Sendable {
    /// The pool the migrations run on.
    public let pool: ConnectionPool
    /// The migrations, in version order.
    public let migrations: [Migration]
    /// The table recording the applied migrations.
    public let table: String
    /// The table's schema, created with it when missing; nil resolves the table through the
    /// connection's `search_path`.
    public let schema: String?
    /// Whether applied versions this migrator does not know are tolerated. False (the default)
    /// refuses them: the database was migrated by newer code, or a migration was deleted. True
    /// suits a rolling deploy, where instances of the previous release restart against a
    /// database the new release has already migrated; the unknown versions must then be
    /// higher than every known one, or the known pending ones are refused as out of order.
    public let ignoresUnknownVersions: Bool
    /// The client-side timeout of each migration script and of the wait for the lock; nil uses
    /// the connections' ``ConnectionConfiguration/queryTimeout``. A closure migration's
    /// statements take their own timeouts.
    public let timeout: Duration?
    /// The key of the transaction-level advisory lock the migrator takes: the first 8 bytes of
    /// the SHA-256 of the schema and table names, so migrators of different tables never wait
    /// for each other. Look for it in `pg_locks` (`classid` is its high 32 bits, `objid` its low
    /// 32 bits).
    public let advisoryLockKey: Int64

    /// A migrator for `migrations`, which may be given in any order.
    ///
    /// - Throws: ``MigrationError`` with `duplicateVersion`, `transactionControl` or
    ///   `invalidMigration` (see ``MigrationError/Code``), and ``PostgresEncodingError`` with
    ///   `invalidIdentifier` for an empty table or schema name. Nothing has run.
    public init(pool: ConnectionPool, migrations: [Migration], table: String = "tusk_migrations", schema: String? = nil,
                ignoresUnknownVersions: Bool = false, timeout: Duration? = nil) throws {
        _ = try SQL.quoteIdentifier(table)
        if let schema { _ = try SQL.quoteIdentifier(schema) }
        self.pool = pool
        self.migrations = try MigrationPlan.ordered(migrations)
        self.table = table
        self.schema = schema
        self.ignoresUnknownVersions = ignoresUnknownVersions
        self.timeout = timeout
        advisoryLockKey = Self.lockKey(schema: schema, table: table)
    }

    // MARK: - Migrating

    /// Applies the pending migrations in version order, creating the table first if needed, and
    /// returns those this call applied (empty when another instance applied them, or none were
    /// pending).
    ///
    /// - Throws: ``MigrationError``: a refusal (`checksumMismatch`, `unknownVersion`,
    ///   `outOfOrder`) before anything is applied, or `migrationFailed` naming the migration
    ///   that failed (the earlier ones stay applied); `CancellationError` when the task is
    ///   cancelled (the current migration rolls back); the pool's errors, and the server's
    ///   errors creating or reading the table.
    @discardableResult
    public func migrate() async throws -> [AppliedMigration] {
        let pending = try await pool.withSession(isolation: .readCommitted) { session in
            try await lock(session)
            if try await !tableExists(session) { try await createTable(session) }
            return try MigrationPlan.pending(migrations, applied: try await readApplied(session),
                                             ignoresUnknownVersions: ignoresUnknownVersions)
        }
        var applied: [AppliedMigration] = []
        for migration in pending {
            guard let record = try await apply(migration) else {
                pool.logger.debug("migration applied by another instance", metadata: ["tusk_migration": "\(migration)"])
                continue
            }
            pool.logger.info("applied migration", metadata: [
                "tusk_migration": "\(migration)", "tusk_migration_time": "\(record.executionTime)",
            ])
            applied.append(record)
        }
        return applied
    }

    /// Applies one migration in its own transaction, under the lock; nil when it turned out to be
    /// applied already.
    private func apply(_ migration: Migration) async throws -> AppliedMigration? {
        do {
            return try await pool.withSession(isolation: .readCommitted) { session -> AppliedMigration? in
                try await lock(session)
                // Another instance may have moved on since the run's first look: decide again.
                let pending = try MigrationPlan.pending(migrations, applied: try await readApplied(session),
                                                        ignoresUnknownVersions: ignoresUnknownVersions)
                guard pending.contains(where: { $0.version == migration.version }) else { return nil }
                let start = ContinuousClock.now
                try await migration.run(in: session, timeout: timeout)
                let elapsed = ContinuousClock.now - start
                guard session.isActive else {
                    throw MigrationError(.migrationFailed,
                                         message: "migration \(migration) ended its own transaction; what it did may be committed without being recorded",
                                         version: migration.version, name: migration.name)
                }
                return try await record(migration, executionTime: elapsed, in: session)
            }
        } catch let error as MigrationError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as SessionError where error.code == .commitOutcomeUnknown {
            throw MigrationError(.migrationFailed,
                                 message: "the connection was lost while migration \(migration) committed; it may or may not be applied",
                                 version: migration.version, name: migration.name, underlying: error)
        } catch {
            throw MigrationError(.migrationFailed, message: "migration \(migration) failed and was rolled back",
                                 version: migration.version, name: migration.name, underlying: error)
        }
    }

    // MARK: - Listings

    /// The migrations ``migrate()`` would apply now, in version order; all of them when the
    /// table does not exist yet (it is not created).
    ///
    /// - Throws: the refusals ``migrate()`` would throw (`checksumMismatch`, `unknownVersion`,
    ///   `outOfOrder`), and the pool's errors.
    public func pending() async throws -> [Migration] {
        try MigrationPlan.pending(migrations, applied: try await applied(), ignoresUnknownVersions: ignoresUnknownVersions)
    }

    /// The migrations the table records as applied, in version order, whether or not this
    /// migrator knows them; empty when the table does not exist.
    public func applied() async throws -> [AppliedMigration] {
        try await pool.withSession(readOnly: true) { session in
            try await tableExists(session) ? try await readApplied(session) : []
        }
    }
}
