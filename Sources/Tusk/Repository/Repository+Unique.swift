extension Repository {
    // MARK: - getOrUpsert

    /// The stored row whose `matching` columns equal `model`'s, inserted when there is none, and
    /// whether this call created it: the unique-row pattern (Advanced Alchemy's `get_or_upsert`
    /// and `UniqueMixin`).
    ///
    /// ```swift
    /// let (ada, created) = try await authors.getOrUpsert(Author(id: nil, name: "Ada", email: "ada@example.com"),
    ///                                                    matching: [\.email])
    /// let (tag, _) = try await tags.getOrUpsert(Tag(id: nil, name: "swift"), matching: [\.name], update: .nothing)
    /// ```
    ///
    /// With `update: .allColumns` (the default) or `.columns(…)`, an existing row is updated with
    /// `model`'s values, as ``upsert(_:matching:update:where:)`` does; with `.nothing` it is
    /// returned as it is, and nothing is written to it (get-or-create).
    ///
    /// It is atomic under concurrency, and it never raises a unique violation on the `matching`
    /// columns, so it never aborts the caller's transaction: many tasks calling it with the same
    /// key all get the one row, and exactly one of them sees `created == true`. With an update it
    /// is one statement (`INSERT … ON CONFLICT (…) DO UPDATE … RETURNING *`). With `.nothing` it is
    /// `ON CONFLICT DO NOTHING` plus a read of the existing row in the same statement; when the
    /// row was committed by another transaction while the statement waited for it (so the
    /// statement's snapshot cannot see it), the statement runs once more.
    ///
    /// A NULL in a `matching` column never conflicts (PostgreSQL's NULLs are distinct), so such a
    /// model is always inserted. A soft-deleted row still holds its key: it is the row returned.
    ///
    /// - Throws: ``RepositoryError`` with `notUnique` when `matching` is not a primary key or
    ///   unique constraint (PostgreSQL refuses the statement, which fails the transaction), and
    ///   `unknownColumn` for a key path that names no column, before anything is sent; with
    ///   `unsupported` when, with `.nothing`, the conflicting row cannot be found by `=` on the
    ///   match columns (a unique index on `citext` or a nondeterministic collation);
    ///   ``PostgresError`` for another constraint the row violates. Under repeatable read or
    ///   serializable isolation, a conflicting row committed after the transaction's snapshot is
    ///   a serialization failure (`40001`): ``ConnectionPool/withTransaction(isolation:readOnly:deferrable:retry:_:)``
    ///   retries it.
    public func getOrUpsert(_ model: M, matching: [PartialKeyPath<M>],
                            update: UpsertUpdate = .allColumns) async throws -> (model: M, created: Bool) {
        let plan = try UpsertPlan(matching: matching, update: update, condition: nil)
        let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
        return try await upsertRow(row.fields, plan: plan)
    }

    // MARK: - Internal

    /// Inserts `fields`, or finds (and updates, per `plan`) the row with the same match columns.
    func upsertRow(_ fields: [EncodedRow.Field], plan: UpsertPlan) async throws -> (model: M, created: Bool) {
        let sql = Self.upsertRowStatement(fields, plan: plan)
        // No row: a concurrent transaction inserted the key and committed while the statement
        // waited on it, after the statement's snapshot was taken; a new statement sees it. Only a
        // row deleted again at once can make that happen twice, so a few attempts are plenty.
        for _ in 0..<Self.readBackAttempts {
            let result = try await onConflictTarget(plan.matchColumns) { try await session.query(sql) }
            guard let stored = result.first else {
                try Task.checkCancellation()
                continue
            }
            let value = try stored.decode(M.self, keyMapping: M.keyMapping)
            let created = try stored.decode(Bool.self, column: "tusk_created")
            try session.remember(value)
            return (value, created)
        }
        // The conflict is real but `=` on the match columns does not find the row: the unique
        // index compares differently (citext, a nondeterministic collation).
        throw RepositoryError(.unsupported,
                              "getOrUpsert of \(M.entityName) conflicted on (\(plan.matchColumns.joined(separator: ", "))) \(Self.readBackAttempts) times "
                                + "without finding the row by equality; does the unique index compare differently from = ?")
    }

    /// How many times get-or-create runs its statement before giving up on reading the row.
    static var readBackAttempts: Int { 8 }

    /// The statement of ``upsertRow(_:plan:)``: every stored column plus `tusk_created`.
    static func upsertRowStatement(_ fields: [EncodedRow.Field], plan: UpsertPlan) -> SQL {
        var sql = FlushPlan.insert(into: M.tableSQL, fields, serverGenerated: M.serverGenerated, managed: plan.managed)
        sql.append(" ON CONFLICT (\(idents: plan.matchColumns)) ")
        // Every column the insert sends, except the match columns, plus the plan's assignments
        // and the audit and version columns, as upsert sets them: a column left to the server
        // (created_at) keeps its stored value.
        let sent = FlushPlan.insertFields(fields, serverGenerated: M.serverGenerated, managed: plan.managed).map(\.column)
        let items = plan.setItems(inserted: sent)
        guard items.isEmpty else {
            // xmax is 0 on a row version this statement inserted, and set on one it updated.
            sql.append("DO UPDATE SET \(SQL.join(items, separator: ", ")) ")
            sql.append("RETURNING \(M.rowColumns), (xmax = 0) AS tusk_created")
            return sql
        }
        // DO NOTHING returns no row for an existing one: read it in the same statement. A no-op
        // DO UPDATE would return it too, but would write a new row version on every call.
        sql.append("DO NOTHING RETURNING \(M.rowColumns)")
        let match = plan.matchColumns.map { column in
            fields.first { $0.column == column } ?? EncodedRow.Field(column: column, key: column, type: .unspecified, bytes: nil)
        }
        return """
            WITH tusk_inserted AS (\(sql)) SELECT \(M.rowColumns), true AS tusk_created FROM tusk_inserted \
            UNION ALL SELECT \(M.rowColumns), false AS tusk_created FROM \(M.tableSQL) \
            WHERE \(FlushPlan.keyCondition(match)) AND NOT EXISTS (SELECT 1 FROM tusk_inserted)
            """
    }

    /// Runs a statement with an `ON CONFLICT (columns)` target. PostgreSQL refuses a target that
    /// no unique index covers (`42P10`), which is the caller's mistake: say so in its terms.
    ///
    /// - Throws: ``RepositoryError`` with `notUnique`, naming the columns; `body`'s other errors.
    func onConflictTarget<T>(_ columns: [String], _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.sqlState == .invalidColumnReference {
            throw RepositoryError(.notUnique,
                                  "(\(columns.joined(separator: ", "))) is not a primary key or unique constraint of \(M.entityName): \(error.message)")
        }
    }
}
