/// One write a session will send at its next flush.
struct PendingWrite {
    enum Kind: String, Sendable {
        case insert, update, delete
    }

    let kind: Kind
    /// The quoted table, `"app"."users"`.
    let table: SQL
    /// For messages: `users`.
    let entity: String
    /// The row's columns (insert: every column; update: the changed ones; delete: unused).
    let fields: [EncodedRow.Field]
    /// The primary-key columns and values that identify the row (update, delete).
    let key: [EncodedRow.Field]
    /// Columns left to the server when NULL on insert.
    let serverGenerated: Set<String>
    /// Whether the statement returns the stored row (insert, update).
    var returnsRow: Bool { kind != .delete }
    /// Called with the statement's result after a successful flush.
    let complete: (QueryResult) throws -> Void

    /// `insert into users`, for error messages.
    var summary: String { "\(kind.rawValue) \(kind == .insert ? "into" : kind == .update ? "of" : "from") \(entity)" }
}

/// Turns pending writes into statements: the order (inserts as added, then updates, then
/// deletes) and the SQL of each. Pure, so it is unit-tested without a database.
enum FlushPlan {
    /// The writes in flush order.
    static func order(inserts: [PendingWrite], updates: [PendingWrite], deletes: [PendingWrite]) -> [PendingWrite] {
        inserts + updates + deletes
    }

    /// The statement for one write: `INSERT … RETURNING *`, `UPDATE … SET changed … WHERE key
    /// RETURNING *`, or `DELETE … WHERE key`.
    static func statement(for write: PendingWrite) -> SQL {
        switch write.kind {
        case .insert:
            let fields = write.fields.filter { !($0.bytes == nil && write.serverGenerated.contains($0.column)) }
            if fields.isEmpty {
                return "INSERT INTO \(write.table) DEFAULT VALUES RETURNING *"
            }
            let values = SQL.join(fields.map { field -> SQL in "\(field)" }, separator: ", ")
            return "INSERT INTO \(write.table) (\(idents: fields.map(\.column))) VALUES (\(values)) RETURNING *"
        case .update:
            let assignments = SQL.join(write.fields.map { field -> SQL in "\(ident: field.column) = \(field)" }, separator: ", ")
            return "UPDATE \(write.table) SET \(assignments) WHERE \(keyCondition(write.key)) RETURNING *"
        case .delete:
            return "DELETE FROM \(write.table) WHERE \(keyCondition(write.key))"
        }
    }

    /// `"a" = $1 AND "b" = $2`; a NULL key part matches with IS NULL.
    static func keyCondition(_ key: [EncodedRow.Field]) -> SQL {
        SQL.join(key.map { field -> SQL in
            field.bytes == nil ? "\(ident: field.column) IS NULL" : "\(ident: field.column) = \(field)"
        }, separator: " AND ")
    }
}
