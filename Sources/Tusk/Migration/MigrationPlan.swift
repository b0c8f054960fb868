/// The migrator's decisions, made from the migrations it knows and the rows its table holds, with
/// no I/O: which list is usable, what is pending, and when to refuse. Pure, so each refusal is
/// tested without a database.
enum MigrationPlan {
    /// `migrations` in version order, or the reason they cannot be used; nothing has run.
    ///
    /// - Throws: ``MigrationError`` with `duplicateVersion`, `invalidMigration` (a script that
    ///   binds values or holds an invalid identifier) or `transactionControl`.
    static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError(.duplicateVersion,
                                 message: "migrations \(previous.name.debugDescription) and \(next.name.debugDescription) share version \(next.version)",
                                 version: next.version, name: next.name)
        }
        for migration in sorted {
            guard let sql = migration.sql else { continue }
            do {
                try sql.validate()
            } catch {
                throw MigrationError(.invalidMigration, message: "migration \(migration) cannot be sent",
                                     version: migration.version, name: migration.name, underlying: error)
            }
            guard sql.bindings.count == 0 else {
                throw MigrationError(.invalidMigration, message: "migration \(migration) binds values; a script cannot",
                                     version: migration.version, name: migration.name)
            }
            if let keyword = TransactionControl.keyword(inScript: sql.text) {
                throw MigrationError(.transactionControl,
                                     message: "migration \(migration) contains \(keyword); each migration runs in a transaction the migrator owns",
                                     version: migration.version, name: migration.name)
            }
        }
        return sorted
    }

    /// The migrations of `known` (in version order) that `applied` does not record, in version
    /// order — after checking that what is applied is what the code describes.
    ///
    /// - Throws: ``MigrationError`` with `checksumMismatch` (an applied migration changed),
    ///   `unknownVersion` (an applied version `known` lacks, unless `ignoresUnknownVersions`) or
    ///   `outOfOrder` (a pending migration below the highest applied version).
    static func pending(_ known: [Migration], applied: [AppliedMigration], ignoresUnknownVersions: Bool) throws -> [Migration] {
        var byVersion: [Int: Migration] = [:]
        for migration in known { byVersion[migration.version] = migration }
        var appliedVersions = Set<Int>()
        for record in applied.sorted(by: { $0.version < $1.version }) {
            appliedVersions.insert(record.version)
            guard let migration = byVersion[record.version] else {
                if ignoresUnknownVersions { continue }
                throw MigrationError(.unknownVersion,
                                     message: "the database records migration \(record) as applied, which this migrator does not know",
                                     version: record.version, name: record.name)
            }
            guard migration.checksum == record.checksum else {
                throw MigrationError(.checksumMismatch,
                                     message: "migration \(migration) changed after it was applied (checksum \(migration.checksum), recorded \(record.checksum))",
                                     version: migration.version, name: migration.name)
            }
        }
        let pending = known.filter { !appliedVersions.contains($0.version) }
        if let first = pending.first, let highest = appliedVersions.max(), first.version < highest {
            throw MigrationError(.outOfOrder,
                                 message: "migration \(first) is pending but version \(highest) is already applied; it would run out of order",
                                 version: first.version, name: first.name)
        }
        return pending
    }
}
