import Testing
import Tusk
import TuskTestSupport

/// The migrator against the real server. Each test works in its own schema (from
/// `TestDatabase.withPool`), which holds the migrations' tables and the migrator's table; the
/// advisory lock key follows the schema, so parallel tests never wait for each other's lock.
@Suite struct MigratorTests {
    struct Boom: Error {}

    /// Three migrations, none of which could run twice: a `CREATE TABLE` without `IF NOT EXISTS`,
    /// inserts into a primary key, and a closure doing both.
    static let migrations = [
        Migration(version: 1, name: "create_widgets", sql: "CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL)"),
        Migration(version: 2, name: "seed_widgets", sql: """
            INSERT INTO widgets VALUES (1, 'sprocket');
            -- a second statement in the same script
            INSERT INTO widgets VALUES (2, 'gear; with a semicolon');
            """),
        Migration(version: 3, name: "widget_log", checksum: "1") { session in
            try await session.executeScript("CREATE TABLE widget_log (widget_id int PRIMARY KEY REFERENCES widgets)")
            try await session.execute("INSERT INTO widget_log SELECT id FROM widgets")
        },
    ]

    static func migrator(_ pool: ConnectionPool, _ schema: String, _ migrations: [Migration] = migrations,
                         ignoresUnknownVersions: Bool = false) throws -> Migrator {
        try Migrator(pool: pool, migrations: migrations, schema: schema, ignoresUnknownVersions: ignoresUnknownVersions)
    }

    // MARK: - Applying and listing

    @Test func appliesPendingMigrationsInOrderOnceAndRecordsThem() async throws {
        try await TestDatabase.withPool(max: 1) { pool, schema in
            let migrator = try Self.migrator(pool, schema)
            #expect(try await migrator.applied().isEmpty)
            #expect(try await migrator.pending().map(\.version) == [1, 2, 3])
            #expect(try await !TestDatabase.exists("tusk_migrations", in: schema), "listings do not create the table")

            let applied = try await migrator.migrate()
            #expect(applied.map(\.version) == [1, 2, 3])
            #expect(applied.map(\.checksum) == Self.migrations.map(\.checksum))
            #expect(try await TestDatabase.count("widgets", in: schema) == 2)
            #expect(try await TestDatabase.count("widget_log", in: schema) == 2)

            let recorded = try await migrator.applied()
            #expect(recorded.map(\.version) == [1, 2, 3])
            #expect(recorded.map(\.name) == ["create_widgets", "seed_widgets", "widget_log"])
            #expect(recorded.map(\.checksum) == Self.migrations.map(\.checksum))
            #expect(recorded.last?.checksum == "1", "a closure's checksum is its declared label")
            #expect(recorded.map(\.appliedAt) == applied.map(\.appliedAt))
            #expect(recorded.allSatisfy { $0.executionTime >= .zero })
            #expect(zip(recorded, recorded.dropFirst()).allSatisfy { $0.appliedAt <= $1.appliedAt })
            #expect(try await migrator.pending().isEmpty)

            #expect(try await migrator.migrate().isEmpty, "a second run has nothing to do")
            #expect(try await TestDatabase.count("tusk_migrations", in: schema) == 3)
        }
    }

    @Test func listingsFollowPartialProgress() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await Self.migrator(pool, schema, Array(Self.migrations.prefix(2))).migrate()
            let migrator = try Self.migrator(pool, schema)
            #expect(try await migrator.applied().map(\.version) == [1, 2])
            #expect(try await migrator.pending().map(\.version) == [3])
            #expect(try await migrator.migrate().map(\.version) == [3])
            #expect(try await migrator.pending().isEmpty)
        }
    }

    @Test func createsItsSchemaWhenMissing() async throws {
        try await TestDatabase.withPool { pool, schema in
            let metadata = schema + "_meta"
            do {
                let migrator = try Migrator(pool: pool, migrations: Array(Self.migrations.prefix(1)), table: "history", schema: metadata)
                #expect(try await migrator.pending().map(\.version) == [1], "a missing schema is an empty history")
                #expect(try await migrator.migrate().map(\.version) == [1])
                #expect(try await TestDatabase.exists("\(metadata).history", in: schema))
                #expect(try await TestDatabase.exists("widgets", in: schema), "the migration itself ran on the search path")
                #expect(try await migrator.applied().map(\.version) == [1])
                try await TestDatabase.dropSchema(metadata)
            } catch {
                try? await TestDatabase.dropSchema(metadata)
                throw error
            }
        }
    }

    // MARK: - Concurrency

    @Test func concurrentMigratorsApplyEachMigrationExactlyOnce() async throws {
        let instances = 4
        try await TestDatabase.withPool(max: 1) { firstPool, schema in
            var pools = [firstPool]
            for _ in 1..<instances {
                var configuration = PoolConfiguration(connection: try TestDatabase.configuration(schema: schema))
                configuration.minConnections = 0
                configuration.maxConnections = 1
                configuration.acquireTimeout = .seconds(20)
                pools.append(ConnectionPool(configuration: configuration))
            }
            let migrators = try pools.map { try Self.migrator($0, schema) }
            let key = migrators[0].advisoryLockKey
            // Holding the migrators' lock makes every instance queue on it before any can start:
            // they all race from the same point when it is released.
            let observer = try await TestDatabase.connect()
            let results: [[AppliedMigration]]
            do {
                try await observer.execute("SELECT pg_advisory_lock(\(key))")
                let barrier = Barrier(parties: instances)
                results = try await withThrowingTaskGroup(of: [AppliedMigration].self) { group in
                    for migrator in migrators {
                        group.addTask {
                            await barrier.arrive()
                            return try await migrator.migrate()
                        }
                    }
                    try await waitUntil { try await Self.waitingForLock(key, observer) == instances }
                    try await observer.execute("SELECT pg_advisory_unlock(\(key))")
                    var results: [[AppliedMigration]] = []
                    for try await result in group { results.append(result) }
                    return results
                }
            } catch {
                await observer.close()
                for pool in pools.dropFirst() { await pool.close() }
                throw error
            }
            await observer.close()
            for pool in pools.dropFirst() { await pool.close() }

            #expect(results.count == instances, "every instance returned without an error")
            #expect(results.flatMap { $0 }.map(\.version).sorted() == [1, 2, 3], "each migration was applied by exactly one instance")
            #expect(try await TestDatabase.count("tusk_migrations", in: schema) == 3)
            #expect(try await TestDatabase.count("widgets", in: schema) == 2)
            #expect(try await TestDatabase.count("widget_log", in: schema) == 2)
            #expect(try await migrators[0].pending().isEmpty)
        }
    }

    /// Requests for the advisory lock `key` that are waiting, as `pg_locks` shows them.
    static func waitingForLock(_ key: Int64, _ observer: Connection) async throws -> Int {
        let high = Int64(UInt32(truncatingIfNeeded: key >> 32))
        let low = Int64(UInt32(truncatingIfNeeded: key))
        return try await observer.query("""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = \(high) AND objid::bigint = \(low) AND objsubid = 1
            """)[0].decode(Int.self, at: 0)
    }

    // MARK: - Failure

    @Test func aFailingScriptLeavesNothingOfItselfAndEarlierMigrationsStay() async throws {
        try await TestDatabase.withPool { pool, schema in
            let migrator = try Self.migrator(pool, schema, [
                Self.migrations[0],
                Migration(version: 2, name: "half_done", sql: "CREATE TABLE gadgets (id int); INSERT INTO nowhere VALUES (1)"),
                Migration(version: 3, name: "never_reached", sql: "CREATE TABLE doodads (id int)"),
            ])
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate() }
            #expect(error?.code == .migrationFailed)
            #expect(error?.version == 2)
            #expect(error?.name == "half_done")
            #expect(error?.serverError?.sqlState == .undefinedTable)
            #expect(try await migrator.applied().map(\.version) == [1])
            #expect(try await TestDatabase.exists("widgets", in: schema))
            #expect(try await !TestDatabase.exists("gadgets", in: schema), "the failed script's first statement rolled back with it")
            #expect(try await !TestDatabase.exists("doodads", in: schema))
            #expect(try await migrator.pending().map(\.version) == [2, 3])
        }
    }

    @Test func aFailingClosureLeavesNothingOfItself() async throws {
        try await TestDatabase.withPool { pool, schema in
            let migrator = try Self.migrator(pool, schema, [
                Self.migrations[0],
                Migration(version: 2, name: "throws", checksum: "1") { session in
                    try await session.execute("INSERT INTO widgets VALUES (1, 'left behind?')")
                    throw Boom()
                },
            ])
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate() }
            #expect(error?.code == .migrationFailed)
            #expect(error?.version == 2)
            #expect(error?.underlying is Boom)
            #expect(try await TestDatabase.count("widgets", in: schema) == 0)
            #expect(try await migrator.applied().map(\.version) == [1])
        }
    }

    @Test func aClosureThatEndsItsTransactionIsAFailureAndIsNotRecorded() async throws {
        try await TestDatabase.withPool { pool, schema in
            let migrator = try Self.migrator(pool, schema, [
                Migration(version: 1, name: "rolls_back", checksum: "1") { session in
                    try await session.execute("CREATE TABLE widgets (id int)")
                    await session.rollback()
                },
            ])
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate() }
            #expect(error?.code == .migrationFailed)
            #expect(try await migrator.applied().isEmpty)
            #expect(try await !TestDatabase.exists("widgets", in: schema))
        }
    }

    // MARK: - Refusals

    @Test func aChangedChecksumIsRefusedAndNothingRuns() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await Self.migrator(pool, schema, Array(Self.migrations.prefix(2))).migrate()
            let edited = try Self.migrator(pool, schema, [
                Migration(version: 1, name: "create_widgets", sql: "CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL)"),
                Self.migrations[1],
                Migration(version: 3, name: "create_doodads", sql: "CREATE TABLE doodads (id int)"),
            ])
            let error = await #expect(throws: MigrationError.self) { try await edited.migrate() }
            #expect(error?.code == .checksumMismatch)
            #expect(error?.version == 1)
            let listing = await #expect(throws: MigrationError.self) { try await edited.pending() }
            #expect(listing?.code == .checksumMismatch)
            #expect(try await !TestDatabase.exists("doodads", in: schema))
            #expect(try await edited.applied().map(\.version) == [1, 2])
        }
    }

    @Test func anUnknownAppliedVersionIsRefusedUnlessIgnored() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await Self.migrator(pool, schema).migrate()
            let older = try Self.migrator(pool, schema, Array(Self.migrations.prefix(2)))
            let error = await #expect(throws: MigrationError.self) { try await older.migrate() }
            #expect(error?.code == .unknownVersion)
            #expect(error?.version == 3)
            let tolerant = try Self.migrator(pool, schema, Array(Self.migrations.prefix(2)), ignoresUnknownVersions: true)
            #expect(try await tolerant.migrate().isEmpty)
            #expect(try await tolerant.pending().isEmpty)
        }
    }

    @Test func aMigrationBelowAnAppliedVersionIsRefused() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await Self.migrator(pool, schema, [Self.migrations[0], Self.migrations[2]]).migrate()
            let error = await #expect(throws: MigrationError.self) { try await Self.migrator(pool, schema).migrate() }
            #expect(error?.code == .outOfOrder)
            #expect(error?.version == 2)
            #expect(try await TestDatabase.count("widgets", in: schema) == 0, "the late migration did not run")
        }
    }
}
