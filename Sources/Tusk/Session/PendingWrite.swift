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
    /// Audit and version columns Tusk writes itself (`now()`, `version + 1`).
    var managed: ManagedColumns = .none
    /// Whether the statement returns the stored row (insert, update).
    var returnsRow: Bool { kind != .delete }
    /// The ``PendingInsert`` handle of an insert, so join rows can be attached to it.
    var handle: ObjectIdentifier?
    /// Join rows the insert's statement writes too (they need its generated key).
    var linkedRows: [LinkedRows] = []
    /// Called after a successful flush with the row the statement returned (nil for a delete,
    /// or for an update that matched no row).
    let complete: (Row?) throws -> Void

    /// `insert into users`, for error messages.
    var summary: String { "\(kind.rawValue) \(kind == .insert ? "into" : kind == .update ? "of" : "from") \(entity)" }
}

/// One statement of a flush and the writes it carries.
struct FlushStatement {
    enum Shape: Equatable {
        /// One write, one statement.
        case single(Int)
        /// Consecutive inserts into one table with the same columns: one `INSERT … SELECT … FROM
        /// unnest … RETURNING *`, rows returned in input order.
        case inserts([Int])
        /// Consecutive updates of one table setting the same columns: one `UPDATE … FROM unnest …
        /// RETURNING ordinality, *`.
        case updates([Int])
        /// Consecutive deletes from one table: one `DELETE … USING unnest …`.
        case deletes([Int])
    }

    let shape: Shape
    let sql: SQL
}

/// Turns pending writes into statements: the order (inserts as added, then updates, then
/// deletes), the SQL of each, and — so that a flush of thousands of rows costs the server a few
/// statements, not thousands — set-based batches of consecutive writes of the same shape. Pure,
/// so it is unit-tested without a database.
enum FlushPlan {
    /// The statements for `writes`, batching runs of same-shaped writes.
    ///
    /// - Parameter encodings: per table (its SQL text), the column types a batch's arrays are
    ///   converted to; a batch without one sends arrays of the values' own types. A value that
    ///   does not fit its column makes the batch's statement unencodable: nothing is sent, and
    ///   the error names the column.
    static func statements(for writes: [PendingWrite], encodings: [String: TableEncodingPlan] = [:]) -> [FlushStatement] {
        var result: [FlushStatement] = []
        for run in runs(of: writes) {
            if let shape = run.batch {
                let members = Array(run.range)
                result.append(batch(shape, members.map { writes[$0] }, indexes: members,
                                    plan: encodings[writes[run.range.lowerBound].table.text] ?? .disabled))
            } else {
                for single in run.range {
                    result.append(FlushStatement(shape: .single(single), sql: statement(for: writes[single])))
                }
            }
        }
        return result
    }

    /// The tables (their SQL text) that `statements(for:)` sends at least one set-based batch to.
    static func batchedTables(_ writes: [PendingWrite]) -> [String] {
        var tables: [String] = []
        for run in runs(of: writes) where run.batch != nil {
            let table = writes[run.range.lowerBound].table.text
            if !tables.contains(table) { tables.append(table) }
        }
        return tables
    }

    /// The writes cut into runs of consecutive writes of one shape: a run of two or more that can
    /// be batched carries its shape; anything else travels one statement a write.
    private static func runs(of writes: [PendingWrite]) -> [(batch: BatchShape?, range: Range<Int>)] {
        var runs: [(batch: BatchShape?, range: Range<Int>)] = []
        var index = 0
        while index < writes.count {
            let shape = BatchShape(writes[index])
            var end = index + 1
            if shape != nil {
                while end < writes.count, BatchShape(writes[end]) == shape { end += 1 }
            }
            runs.append((end - index >= 2 ? shape : nil, index..<end))
            index = end
        }
        return runs
    }

    /// What writes must share to travel in one set-based statement.
    struct BatchShape: Equatable {
        let kind: PendingWrite.Kind
        let table: String
        let columns: [String]
        let types: [PostgresDataType]
        let keyColumns: [String]
        let keyTypes: [PostgresDataType]

        /// Nil when the write cannot be batched: a type Tusk cannot name in a cast (a
        /// String-backed enum), or a NULL key part.
        init?(_ write: PendingWrite) {
            let fields = write.kind == .insert ? insertFields(write) : write.fields
            let arrays = fields.map(\.type) + write.key.map(\.type)
            // An insert carrying join rows is a statement of its own (a writable CTE).
            guard arrays.allSatisfy({ PostgresDataType.sqlNames[$0.rawValue] != nil }),
                  !write.key.contains(where: { $0.bytes == nil }), write.linkedRows.isEmpty else { return nil }
            kind = write.kind
            table = write.table.text
            columns = write.kind == .delete ? [] : fields.map(\.column)
            types = write.kind == .delete ? [] : fields.map(\.type)
            keyColumns = write.key.map(\.column)
            keyTypes = write.key.map(\.type)
        }
    }

    /// The insert's columns: nil server-generated columns are left out, and so are nil audit
    /// columns, which ``stampedColumns(_:)`` sets to `now()`.
    static func insertFields(_ write: PendingWrite) -> [EncodedRow.Field] {
        insertFields(write.fields, serverGenerated: write.serverGenerated, managed: write.managed)
    }

    /// The fields an insert sends: nil server-generated columns and nil audit columns are left out.
    static func insertFields(_ fields: [EncodedRow.Field], serverGenerated: Set<String>, managed: ManagedColumns) -> [EncodedRow.Field] {
        let stamped = managed.stampedOnInsert
        return fields.filter { !($0.bytes == nil && (serverGenerated.contains($0.column) || stamped.contains($0.column))) }
    }

    /// The audit columns an insert sets to `now()`: those the model leaves nil (or lacks).
    static func stampedColumns(_ write: PendingWrite) -> [String] {
        stampedColumns(providing: insertFields(write), managed: write.managed)
    }

    private static func stampedColumns(providing fields: [EncodedRow.Field], managed: ManagedColumns) -> [String] {
        let provided = Set(fields.map(\.column))
        return managed.stampedOnInsert.filter { !provided.contains($0) }
    }

    private static func batch(_ shape: BatchShape, _ writes: [PendingWrite], indexes: [Int], plan: TableEncodingPlan) -> FlushStatement {
        let table = writes[0].table
        switch shape.kind {
        case .insert:
            let columns = writes.map(insertFields)
            let (arrays, aliases) = unnestArrays(columns, plan: plan)
            // Same shape, same table: the same audit columns are left nil in every row.
            let stamped = stampedColumns(writes[0])
            let select = (aliases.map { "u.\($0)" } + stamped.map { _ in "now()" }).joined(separator: ", ")
            let sql: SQL = """
                INSERT INTO \(table) (\(idents: shape.columns + stamped)) SELECT \(unsafeRaw: select) FROM unnest(\(arrays))                 WITH ORDINALITY AS u(\(unsafeRaw: aliases.joined(separator: ", ")), tusk_ordinality)                 ORDER BY u.tusk_ordinality RETURNING *
                """
            return FlushStatement(shape: .inserts(indexes), sql: sql)
        case .update:
            let (arrays, aliases) = unnestArrays(writes.map { $0.key + $0.fields }, plan: plan)
            let keyCount = shape.keyColumns.count
            let assignments = shape.columns.enumerated().map { offset, column -> SQL in
                "\(ident: column) = s.\(unsafeRaw: aliases[keyCount + offset])"
            } + writes[0].managed.updateAssignments(qualifier: "tusk_target", skipping: Set(shape.columns))
            let conditions = shape.keyColumns.enumerated().map { offset, column -> SQL in
                "tusk_target.\(ident: column) = s.\(unsafeRaw: aliases[offset])"
            }
            let sql: SQL = """
                UPDATE \(table) AS tusk_target SET \(SQL.join(assignments, separator: ", "))                 FROM unnest(\(arrays)) WITH ORDINALITY AS s(\(unsafeRaw: aliases.joined(separator: ", ")), tusk_ordinality)                 WHERE \(SQL.join(conditions, separator: " AND ")) RETURNING s.tusk_ordinality, tusk_target.*
                """
            return FlushStatement(shape: .updates(indexes), sql: sql)
        case .delete:
            let (arrays, aliases) = unnestArrays(writes.map(\.key), plan: plan)
            let conditions = shape.keyColumns.enumerated().map { offset, column -> SQL in
                "tusk_target.\(ident: column) = s.\(unsafeRaw: aliases[offset])"
            }
            let sql: SQL = """
                DELETE FROM \(table) AS tusk_target USING unnest(\(arrays)) AS s(\(unsafeRaw: aliases.joined(separator: ", ")))                 WHERE \(SQL.join(conditions, separator: " AND "))
                """
            return FlushStatement(shape: .deletes(indexes), sql: sql)
        }
    }

    /// Column-major arrays of the rows' fields, each cast to its array type, and their aliases:
    /// the set-based encoder (``UnnestColumns``) fed the snapshots' fields. A value that cannot
    /// be converted leaves the fragment carrying the error, so the statement is never sent.
    static func unnestArrays(_ rows: [[EncodedRow.Field]], plan: TableEncodingPlan) -> (SQL, [String]) {
        let aliases = (0..<(rows.first?.count ?? 0)).map { "c\($0 + 1)" }
        do {
            let encoded = try UnnestColumns(fieldRows: rows, plan: plan)
            return (SQL.join(try encoded.columns.indices.map(encoded.arraySQL), separator: ", "), aliases)
        } catch {
            var failed = SQL()
            failed.bindings.encodingError = (error as? PostgresEncodingError)
                ?? PostgresEncodingError(.unsupportedValue, "\(error)", column: rows.first?.first?.column)
            return (failed, aliases)
        }
    }

    /// The writes in flush order.
    static func order(inserts: [PendingWrite], updates: [PendingWrite], deletes: [PendingWrite]) -> [PendingWrite] {
        inserts + updates + deletes
    }

    /// The statement for one write: `INSERT … RETURNING *`, `UPDATE … SET changed … WHERE key
    /// RETURNING *`, or `DELETE … WHERE key`.
    static func statement(for write: PendingWrite) -> SQL {
        switch write.kind {
        case .insert:
            return LinkedRows.wrapping(
                "\(insert(into: write.table, write.fields, serverGenerated: write.serverGenerated, managed: write.managed)) RETURNING *",
                with: write.linkedRows)
        case .update:
            let assignments = write.fields.map { field -> SQL in "\(ident: field.column) = \(field)" }
                + write.managed.updateAssignments(skipping: Set(write.fields.map(\.column)))
            return "UPDATE \(write.table) SET \(SQL.join(assignments, separator: ", ")) WHERE \(keyCondition(write.key)) RETURNING *"
        case .delete:
            return "DELETE FROM \(write.table) WHERE \(keyCondition(write.key))"
        }
    }

    /// `INSERT INTO t (a, b) VALUES ($1, $2)` without a clause after it; a nil server-generated
    /// field is left to the server, a nil audit column is set to `now()`, and no field left is
    /// `DEFAULT VALUES`.
    static func insert(into table: SQL, _ fields: [EncodedRow.Field], serverGenerated: Set<String>,
                       managed: ManagedColumns = .none) -> SQL {
        let fields = insertFields(fields, serverGenerated: serverGenerated, managed: managed)
        let stamped = stampedColumns(providing: fields, managed: managed)
        guard !fields.isEmpty || !stamped.isEmpty else { return "INSERT INTO \(table) DEFAULT VALUES" }
        let values = SQL.join(fields.map { field -> SQL in "\(field)" } + stamped.map { _ in "now()" }, separator: ", ")
        return "INSERT INTO \(table) (\(idents: fields.map(\.column) + stamped)) VALUES (\(values))"
    }

    /// `"a" = $1 AND "b" = $2`; a NULL key part matches with IS NULL.
    static func keyCondition(_ key: [EncodedRow.Field]) -> SQL {
        SQL.join(key.map { field -> SQL in
            field.bytes == nil ? "\(ident: field.column) IS NULL" : "\(ident: field.column) = \(field)"
        }, separator: " AND ")
    }
}
