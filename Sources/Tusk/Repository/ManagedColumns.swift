/// The columns Tusk writes itself rather than copying from a model: the audit timestamps of an
/// ``Auditable`` model and the version of a ``Versioned`` one. Every write path asks this one
/// type, so that no path forgets `updated_at` or the version.
struct ManagedColumns: Sendable, Equatable {
    var createdAt: String?
    var updatedAt: String?
    var version: String?

    /// A model that adopts neither protocol.
    static let none = ManagedColumns()

    static func of<M: Model>(_ type: M.Type) -> ManagedColumns {
        var managed = ManagedColumns()
        if let audited = M.self as? any Auditable.Type {
            managed.createdAt = audited.createdAtColumn
            managed.updatedAt = audited.updatedAtColumn
        }
        managed.version = (M.self as? any Versioned.Type)?.versionColumn
        return managed
    }

    /// Columns a model's values never overwrite on update.
    var all: Set<String> { Set([createdAt, updatedAt, version].compactMap(\.self)) }

    /// Columns set to `now()` on insert when the model leaves them nil.
    var stampedOnInsert: [String] { [createdAt, updatedAt].compactMap(\.self) }

    /// The items every update adds — `"updated_at" = now()`, `"version" = "version" + 1` — except
    /// for columns in `skipping` (assigned explicitly). `qualifier` names the target where a
    /// `FROM` source or an upsert's `EXCLUDED` shares its column names.
    func updateAssignments(qualifier: SQL? = nil, skipping: Set<String> = []) -> [SQL] {
        var items: [SQL] = []
        if let updatedAt, !skipping.contains(updatedAt) { items.append("\(ident: updatedAt) = now()") }
        if let version, !skipping.contains(version) {
            let current: SQL = qualifier.map { "\($0).\(ident: version)" } ?? "\(ident: version)"
            items.append("\(ident: version) = \(current) + 1")
        }
        return items
    }

    /// The version field the row must still hold for an update to apply: joined to the key, so
    /// that every path rendering a key condition checks it.
    func lockFields(of row: EncodedRow) -> [EncodedRow.Field] {
        guard let version, let field = row.field(version) else { return [] }
        return [field]
    }

    /// The error for an update that matched no row: ``StaleDataError`` under optimistic locking
    /// (the row changed or went away since it was read), ``NotFoundError`` otherwise.
    func missedUpdate<M: Model>(of model: M, whereKey: [EncodedRow.Field]) -> any Error {
        guard version != nil else { return NotFoundError(entity: M.entityName, criteria: FlushPlan.keyCondition(whereKey).text) }
        return StaleDataError(entity: M.entityName, id: Self.describe(model.id))
    }

    /// `42`, not `Optional(42)`.
    private static func describe(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            return mirror.children.first.map { describe($0.value) } ?? "nil"
        }
        return String(describing: value)
    }
}

extension Model {
    /// What an update of `row` writes, and where: the columns that differ from the snapshot the
    /// session loaded (every non-key column when it did not load the row), less the managed ones;
    /// and the key of the row as loaded, joined by the version it was read at under optimistic
    /// locking. One rule for ``Repository/update(_:)`` and a session's flush.
    static func updateFields(_ row: EncodedRow, loaded: EncodedRow?,
                             managed: ManagedColumns) throws -> (changed: [EncodedRow.Field], whereKey: [EncodedRow.Field]) {
        let changed = (loaded.map { row.changedFields(since: $0) } ?? row.fields.filter { !primaryKey.contains($0.column) })
            .filter { !managed.all.contains($0.column) }
        let read = loaded ?? row
        return (changed, try keyFields(of: read) + managed.lockFields(of: read))
    }
}
