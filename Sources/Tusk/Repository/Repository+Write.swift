extension Repository {
    // MARK: - Insert

    /// Inserts `model` now and returns the stored row, with what the server generated (ids,
    /// defaults): nil ``Model/serverGenerated`` columns are left to the server.
    ///
    /// - Throws: ``PostgresError`` (unique, foreign-key, not-null, check violations, typed with the
    ///   constraint), ``PostgresEncodingError``, and the errors of ``Session/query(_:timeout:)``.
    @discardableResult
    public func add(_ model: M) async throws -> M {
        let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
        let statement = FlushPlan.statement(for: insertWrite(row))
        guard let stored = try await session.query(statement).first else {
            throw SessionError(.flushFailed, message: "the insert into \(M.entityName) returned no row")
        }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    func insertWrite(_ row: EncodedRow) -> PendingWrite {
        PendingWrite(kind: .insert, table: M.tableSQL, entity: M.entityName, fields: row.fields, key: [],
                     serverGenerated: M.serverGenerated, managed: .of(M.self), complete: { _ in })
    }

    // MARK: - Update

    /// Updates the row `model` identifies and returns it as stored (one round trip, `RETURNING *`).
    ///
    /// When the session loaded the row, only the columns that changed are sent — and nothing at
    /// all when nothing changed. Otherwise every non-key column is written. An ``Auditable``
    /// model's `updated_at` is set to `now()`; a ``Versioned`` model is written only where the
    /// row still has the version the session read (or the model carries), and its version is
    /// incremented.
    ///
    /// - Throws: ``StaleDataError`` for a ``Versioned`` model whose row changed or went away since
    ///   it was read (nothing written); ``NotFoundError`` when no row has that key; and the errors
    ///   of ``add(_:)``.
    @discardableResult
    public func update(_ model: M) async throws -> M {
        let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
        let managed = ManagedColumns.of(M.self)
        let loaded = session.identityMap.entry(for: IdentityMap.key(M.self, fields: try M.keyFields(of: row)))?.snapshot
        let (changed, whereKey) = try M.updateFields(row, loaded: loaded, managed: managed)
        if changed.isEmpty { return model }
        let statement = FlushPlan.statement(for: PendingWrite(kind: .update, table: M.tableSQL, entity: M.entityName, fields: changed,
                                                              key: whereKey, serverGenerated: [], managed: managed, complete: { _ in }))
        guard let stored = try await session.query(statement).first else {
            throw managed.missedUpdate(of: model, whereKey: whereKey)
        }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    /// Sets some columns of the row with this key; returns the updated row, or nil when there is
    /// no such row. An ``Auditable`` model's `updated_at` is set to `now()` and a ``Versioned``
    /// model's version incremented, unless an assignment sets them.
    ///
    /// - Throws: ``RepositoryError`` for an unknown column, a column assigned twice or
    ///   ``Assignment/excluded(_:)`` (an upsert's), before anything is sent.
    @discardableResult
    public func update(id: M.ID, set assignments: [Assignment<M>]) async throws -> M? {
        let key = try M.keyFields(forID: id)
        let sql: SQL = "UPDATE \(M.tableSQL) SET \(try Assignment.build(assignments)) WHERE \(FlushPlan.keyCondition(key)) RETURNING \(M.rowColumns)"
        guard let stored = try await session.query(sql).first else { return nil }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    /// One set-based `UPDATE … SET … WHERE …` (never a loop); returns how many rows changed.
    /// Rows the session loaded are forgotten, so later reads see the change. Managed columns as
    /// in ``update(id:set:)``.
    ///
    /// - Throws: as ``update(id:set:)``.
    @discardableResult
    public func updateWhere(_ filter: Filter<M>, set assignments: [Assignment<M>], includeDeleted: Bool = false) async throws -> Int {
        let count = try await session.execute(try updateWhereSQL(filter, set: assignments, includeDeleted: includeDeleted))
        session.expireAll()
        return count
    }

    /// ``updateWhere(_:set:includeDeleted:)`` returning `keyPath` of each updated row, as stored
    /// (`RETURNING *`): pass `\.self` for whole rows, `\.id` for the keys. The updated rows are
    /// remembered by the session; the others it loaded stay as they are.
    ///
    /// ```swift
    /// let bumped = try await posts.updateWhere(\.authorID == 7, set: [.increment(\.views, by: 1)], returning: \.self)
    /// ```
    ///
    /// - Throws: as ``update(id:set:)``.
    public func updateWhere<V>(_ filter: Filter<M>, set assignments: [Assignment<M>], includeDeleted: Bool = false,
                               returning keyPath: KeyPath<M, V>) async throws -> [V] {
        let models = try await rows(returnedBy: try updateWhereSQL(filter, set: assignments, includeDeleted: includeDeleted))
        for model in models { try session.remember(model) }
        return models.map { $0[keyPath: keyPath] }
    }

    private func updateWhereSQL(_ filter: Filter<M>, set assignments: [Assignment<M>], includeDeleted: Bool) throws -> SQL {
        "UPDATE \(M.tableSQL) SET \(try Assignment.build(assignments)) WHERE \(try condition(filter, includeDeleted: includeDeleted))"
    }

    // MARK: - Delete

    /// `"deleted_at" = now()` (or `NULL`, to restore) with what Tusk manages: marking a row is an
    /// update, so an ``Auditable`` model's `updated_at` moves and a ``Versioned`` one's version too.
    private static func mark(_ column: String, _ value: SQL) -> SQL {
        SQL.join(["\(ident: column) = \(value)"] + ManagedColumns.of(M.self).updateAssignments(skipping: [column]), separator: ", ")
    }

    /// Deletes the row `model` identifies (marks it, for a ``SoftDeletable`` model); returns
    /// whether a row was deleted.
    @discardableResult
    public func delete(_ model: M) async throws -> Bool {
        let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
        return try await delete(key: try M.keyFields(of: row), hard: false)
    }

    /// Deletes the row with this key (marks it, for a ``SoftDeletable`` model); returns whether a
    /// row was deleted.
    @discardableResult
    public func delete(id: M.ID) async throws -> Bool {
        try await delete(key: try M.keyFields(forID: id), hard: false)
    }

    /// Deletes the row with this key for good, even for a ``SoftDeletable`` model.
    @discardableResult
    public func hardDelete(id: M.ID) async throws -> Bool {
        try await delete(key: try M.keyFields(forID: id), hard: true)
    }

    /// Clears the deletion mark of a ``SoftDeletable`` model's row; returns the restored row.
    @discardableResult
    public func restore(id: M.ID) async throws -> M? {
        guard let column = Self.softDeleteColumn else {
            throw RepositoryError(.unsupported, "\(M.self) is not SoftDeletable")
        }
        let key = try M.keyFields(forID: id)
        let sql: SQL = "UPDATE \(M.tableSQL) SET \(Self.mark(column, "NULL")) WHERE \(FlushPlan.keyCondition(key)) RETURNING \(M.rowColumns)"
        guard let stored = try await session.query(sql).first else { return nil }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    private func delete(key: [EncodedRow.Field], hard: Bool) async throws -> Bool {
        let sql: SQL
        if !hard, let column = Self.softDeleteColumn {
            sql = "UPDATE \(M.tableSQL) SET \(Self.mark(column, "now()")) WHERE \(FlushPlan.keyCondition(key)) AND \(ident: column) IS NULL"
        } else {
            sql = "DELETE FROM \(M.tableSQL) WHERE \(FlushPlan.keyCondition(key))"
        }
        let deleted = try await session.execute(sql) > 0
        session.identityMap.remove(IdentityMap.key(M.self, fields: key))
        return deleted
    }

    /// One `DELETE … WHERE …` (marks, for a ``SoftDeletable`` model); returns how many rows.
    /// Rows the session loaded are forgotten.
    @discardableResult
    public func deleteWhere(_ filter: Filter<M>) async throws -> Int {
        try await deleteCounting(try deleteWhereSQL(filter))
    }

    /// ``deleteWhere(_:)`` returning `keyPath` of each deleted row as it was (or, for a
    /// ``SoftDeletable`` model, as marked): pass `\.self` for whole rows, `\.id` for the keys.
    /// The deleted rows are forgotten by the session; the others it loaded stay.
    ///
    /// ```swift
    /// let removed = try await posts.deleteWhere(\.authorID == 7, returning: \.self)
    /// ```
    public func deleteWhere<V>(_ filter: Filter<M>, returning keyPath: KeyPath<M, V>) async throws -> [V] {
        try await deleteReturning(try deleteWhereSQL(filter), keyPath)
    }

    private func deleteWhereSQL(_ filter: Filter<M>) throws -> SQL {
        if let column = Self.softDeleteColumn {
            return "UPDATE \(M.tableSQL) SET \(Self.mark(column, "now()")) WHERE \(try condition(filter))"
        }
        return "DELETE FROM \(M.tableSQL) WHERE \(try condition(filter))"
    }

    /// Runs a set-based delete for its count; which loaded rows it hit is unknown, so all are
    /// forgotten.
    func deleteCounting(_ sql: SQL) async throws -> Int {
        let count = try await session.execute(sql)
        session.expireAll()
        return count
    }

    /// The rows `sql` touched, decoded: it runs with `RETURNING *`.
    private func rows(returnedBy sql: SQL) async throws -> [M] {
        var sql = sql
        sql.append(" RETURNING \(M.rowColumns)")
        return try await session.query(sql).decode(M.self, keyMapping: M.keyMapping)
    }

    /// Runs a set-based delete `RETURNING *`; exactly the rows it hit are forgotten.
    func deleteReturning<V>(_ sql: SQL, _ keyPath: KeyPath<M, V>) async throws -> [V] {
        let models = try await rows(returnedBy: sql)
        for model in models {
            let key = try M.keyFields(of: try EncodedRow(encoding: model, keyMapping: M.keyMapping))
            session.identityMap.remove(IdentityMap.key(M.self, fields: key))
        }
        return models.map { $0[keyPath: keyPath] }
    }
}

extension Repository {
    /// Deletes the rows with these keys in one statement (`= ANY($1)`, or the key columns matched
    /// as a row against arrays for a composite key; marks them, for a ``SoftDeletable`` model);
    /// returns how many.
    @discardableResult
    public func deleteMany(ids: [M.ID]) async throws -> Int {
        try await deleteCounting(try deleteManySQL(ids))
    }

    /// ``deleteMany(ids:)`` returning `keyPath` of each deleted row: pass `\.self` for whole
    /// rows. Ids with no (live) row are absent from the result.
    ///
    /// - Throws: as ``deleteMany(ids:)``.
    public func deleteMany<V>(ids: [M.ID], returning keyPath: KeyPath<M, V>) async throws -> [V] {
        try await deleteReturning(try deleteManySQL(ids), keyPath)
    }

    private func deleteManySQL(_ ids: [M.ID]) throws -> SQL {
        let keyIn = try Self.keyIn(ids)
        if let column = Self.softDeleteColumn {
            return "UPDATE \(M.tableSQL) SET \(Self.mark(column, "now()")) WHERE \(keyIn) AND \(ident: column) IS NULL"
        }
        return "DELETE FROM \(M.tableSQL) WHERE \(keyIn)"
    }
}
