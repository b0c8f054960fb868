import Foundation
import Testing
@testable import Tusk

@Suite struct MigrationPlanTests {
    static let first = Migration(version: 1, name: "create_a", sql: "CREATE TABLE a (id int)")
    static let second = Migration(version: 2, name: "create_b", sql: "CREATE TABLE b (id int)")
    static let third = Migration(version: 3, name: "fill", checksum: "1") { _ in }

    static func record(_ migration: Migration, checksum: String? = nil) -> AppliedMigration {
        AppliedMigration(version: migration.version, name: migration.name, checksum: checksum ?? migration.checksum,
                         appliedAt: Date(timeIntervalSince1970: 0), executionTime: .zero)
    }

    // MARK: - The list

    @Test func migrationsAreOrderedByVersionWhateverTheOrderGiven() throws {
        let ordered = try MigrationPlan.ordered([Self.third, Self.first, Self.second])
        #expect(ordered.map(\.version) == [1, 2, 3])
    }

    @Test func duplicateVersionsAreRefused() {
        let clash = Migration(version: 2, name: "also_two", sql: "SELECT 1")
        let error = #expect(throws: MigrationError.self) { try MigrationPlan.ordered([Self.second, Self.first, clash]) }
        #expect(error?.code == .duplicateVersion)
        #expect(error?.version == 2)
    }

    @Test(arguments: [
        "BEGIN; CREATE TABLE a (id int); COMMIT;",
        "CREATE TABLE a (id int);\n  commit",
        "CREATE TABLE a (id int); /* note */ SAVEPOINT s; CREATE TABLE b (id int)",
        "CREATE TABLE a (id int); -- done\nROLLBACK",
        "START TRANSACTION; SELECT 1",
    ])
    func aScriptThatControlsItsTransactionIsRefused(script: String) {
        let migration = Migration(version: 1, name: "sneaky", sql: SQL(unsafeRaw: script))
        let error = #expect(throws: MigrationError.self) { try MigrationPlan.ordered([migration]) }
        #expect(error?.code == .transactionControl)
        #expect(error?.name == "sneaky")
    }

    @Test func aScriptThatBindsValuesIsRefused() {
        let migration = Migration(version: 1, name: "bound", sql: "INSERT INTO a VALUES (\(42))")
        let error = #expect(throws: MigrationError.self) { try MigrationPlan.ordered([migration]) }
        #expect(error?.code == .invalidMigration)
    }

    @Test func aScriptWithAnInvalidIdentifierIsRefused() {
        let migration = Migration(version: 1, name: "nameless", sql: "CREATE TABLE \(ident: "") (id int)")
        let error = #expect(throws: MigrationError.self) { try MigrationPlan.ordered([migration]) }
        #expect(error?.code == .invalidMigration)
        #expect(error?.underlying is PostgresEncodingError)
    }

    @Test func theMigratorRefusesABadListBeforeTouchingThePool() async throws {
        var configuration = PoolConfiguration(connection: try ConnectionConfiguration(url: "postgres://nobody@127.0.0.1:1/none"))
        configuration.minConnections = 0
        let pool = ConnectionPool(configuration: configuration)
        let error = #expect(throws: MigrationError.self) {
            try Migrator(pool: pool, migrations: [Self.first, Migration(version: 1, name: "again", sql: "SELECT 1")])
        }
        #expect(error?.code == .duplicateVersion)
        #expect(throws: PostgresEncodingError.self) { try Migrator(pool: pool, migrations: [], table: "") }
        let migrator = try Migrator(pool: pool, migrations: [Self.second, Self.first])
        #expect(migrator.migrations.map(\.version) == [1, 2])
        await pool.close()
    }

    // MARK: - Checksums

    @Test func aScriptsChecksumIsTheSHA256OfItsText() {
        let migration = Migration(version: 1, name: "x", sql: "CREATE TABLE t (id int);\nSELECT 1;\n")
        #expect(migration.checksum == "64f75b3f9ee0d78dd5c0c2833b920dedbff259355dd44445e68084c0f38e2795")
    }

    @Test func lineEndingsDoNotChangeAChecksumButAnyOtherEditDoes() {
        let unix = Migration(version: 1, name: "x", sql: "CREATE TABLE t (id int);\nSELECT 1;\n")
        let windows = Migration(version: 1, name: "x", sql: "CREATE TABLE t (id int);\r\nSELECT 1;\r\n")
        let edited = Migration(version: 1, name: "x", sql: "CREATE TABLE t (id int);\nSELECT 1; \n")
        let loneReturn = Migration(version: 1, name: "x", sql: "CREATE TABLE t (id int);\rSELECT 1;\n")
        #expect(windows.checksum == unix.checksum)
        #expect(edited.checksum != unix.checksum)
        #expect(loneReturn.checksum != unix.checksum)
    }

    @Test func aClosuresChecksumIsTheDeclaredLabel() {
        #expect(Self.third.checksum == "1")
        #expect(Self.third.sql == nil)
    }

    // MARK: - Pending

    @Test func pendingIsWhatIsNotRecordedInVersionOrder() throws {
        let known = try MigrationPlan.ordered([Self.first, Self.second, Self.third])
        #expect(try MigrationPlan.pending(known, applied: [], ignoresUnknownVersions: false).map(\.version) == [1, 2, 3])
        let pending = try MigrationPlan.pending(known, applied: [Self.record(Self.first)], ignoresUnknownVersions: false)
        #expect(pending.map(\.version) == [2, 3])
        #expect(try MigrationPlan.pending(known, applied: known.map { Self.record($0) }, ignoresUnknownVersions: false).isEmpty)
    }

    @Test func aChangedChecksumIsRefused() throws {
        let known = try MigrationPlan.ordered([Self.first, Self.second, Self.third])
        let applied = [Self.record(Self.first), Self.record(Self.second, checksum: "something else")]
        let error = #expect(throws: MigrationError.self) {
            try MigrationPlan.pending(known, applied: applied, ignoresUnknownVersions: false)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.version == 2)
    }

    @Test func anUnknownAppliedVersionIsRefusedUnlessIgnored() throws {
        let known = try MigrationPlan.ordered([Self.first, Self.second])
        let applied = [Self.record(Self.first), Self.record(Self.second), Self.record(Self.third)]
        let error = #expect(throws: MigrationError.self) {
            try MigrationPlan.pending(known, applied: applied, ignoresUnknownVersions: false)
        }
        #expect(error?.code == .unknownVersion)
        #expect(error?.version == 3)
        #expect(try MigrationPlan.pending(known, applied: applied, ignoresUnknownVersions: true).isEmpty)
    }

    @Test func aPendingMigrationBelowAnAppliedOneIsRefused() throws {
        let known = try MigrationPlan.ordered([Self.first, Self.second, Self.third])
        let error = #expect(throws: MigrationError.self) {
            try MigrationPlan.pending(known, applied: [Self.record(Self.first), Self.record(Self.third)], ignoresUnknownVersions: false)
        }
        #expect(error?.code == .outOfOrder)
        #expect(error?.version == 2)
    }

    @Test func theLockKeyDependsOnTheTableAndItsSchema() {
        let plain = Migrator.lockKey(schema: nil, table: "tusk_migrations")
        #expect(plain == 5_940_229_521_171_516_368, "the first 8 bytes of the SHA-256, big-endian")
        #expect(Migrator.lockKey(schema: "app", table: "tusk_migrations") != plain)
        #expect(Migrator.lockKey(schema: nil, table: "other") != plain)
        #expect(Migrator.lockKey(schema: "a", table: "bc") != Migrator.lockKey(schema: "ab", table: "c"))
    }
}
