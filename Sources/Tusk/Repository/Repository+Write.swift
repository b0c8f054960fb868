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
                     serverGenerated: M.serverGenerated, complete: { _ in })
    }

    // MARK: - Update

    /// Updates the row `model` identifies and returns it as stored (one round trip, `RETURNING *`).
    ///
    /// When the session loaded the row, only the columns that changed are sent — and nothing at
    /// all when nothing changed. Otherwise every non-key column is written.
    ///
    /// - Throws: ``NotFoundError`` when no row has that key, and the errors of ``add(_:)``.
    @discardableResult
    public func update(_ model: M) async throws -> M {
        let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
        let key = try M.keyFields(of: row)
        let changed: [EncodedRow.Field]
        var whereKey = key
        if let entry = session.identityMap.entry(for: IdentityMap.key(M.self, fields: key)) {
            changed = row.changedFields(since: entry.snapshot)
            whereKey = try M.keyFields(of: entry.snapshot)
            if changed.isEmpty { return model }
        } else {
            changed = row.fields.filter { !M.primaryKey.contains($0.column) }
        }
        let statement: SQL = "UPDATE \(M.tableSQL) SET \(SQL.join(changed.map { "\(ident: $0.column) = \($0)" }, separator: ", ")) WHERE \(FlushPlan.keyCondition(whereKey)) RETURNING *"
        guard let stored = try await session.query(statement).first else {
            throw NotFoundError(entity: M.entityName, criteria: FlushPlan.keyCondition(whereKey).text)
        }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    /// Sets some columns of the row with this key; returns the updated row, or nil when there is
    /// no such row.
    @discardableResult
    public func update(id: M.ID, set assignments: [Assignment<M>]) async throws -> M? {
        let key = try M.keyFields(forID: id)
        let sql: SQL = "UPDATE \(M.tableSQL) SET \(try Assignment.build(assignments)) WHERE \(FlushPlan.keyCondition(key)) RETURNING *"
        guard let stored = try await session.query(sql).first else { return nil }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    /// One set-based `UPDATE … SET … WHERE …` (never a loop); returns how many rows changed.
    /// Rows the session loaded are forgotten, so later reads see the change.
    @discardableResult
    public func updateWhere(_ filter: Filter<M>, set assignments: [Assignment<M>], includeDeleted: Bool = false) async throws -> Int {
        let sql: SQL = "UPDATE \(M.tableSQL) SET \(try Assignment.build(assignments)) WHERE \(try condition(filter, includeDeleted: includeDeleted))"
        let count = try await session.execute(sql)
        session.expireAll()
        return count
    }

    // MARK: - Delete

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
        let sql: SQL = "UPDATE \(M.tableSQL) SET \(ident: column) = NULL WHERE \(FlushPlan.keyCondition(key)) RETURNING *"
        guard let stored = try await session.query(sql).first else { return nil }
        let value = try stored.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    private func delete(key: [EncodedRow.Field], hard: Bool) async throws -> Bool {
        let sql: SQL
        if !hard, let column = Self.softDeleteColumn {
            sql = "UPDATE \(M.tableSQL) SET \(ident: column) = now() WHERE \(FlushPlan.keyCondition(key)) AND \(ident: column) IS NULL"
        } else {
            sql = "DELETE FROM \(M.tableSQL) WHERE \(FlushPlan.keyCondition(key))"
        }
        let deleted = try await session.execute(sql) > 0
        session.identityMap.remove(IdentityMap.key(M.self, fields: key))
        return deleted
    }

    /// One `DELETE … WHERE …` (marks, for a ``SoftDeletable`` model); returns how many rows.
    @discardableResult
    public func deleteWhere(_ filter: Filter<M>) async throws -> Int {
        let sql: SQL
        if let column = Self.softDeleteColumn {
            sql = "UPDATE \(M.tableSQL) SET \(ident: column) = now() WHERE \(try condition(filter))"
        } else {
            sql = "DELETE FROM \(M.tableSQL) WHERE \(try condition(filter))"
        }
        let count = try await session.execute(sql)
        session.expireAll()
        return count
    }
}

extension Repository where M.ID: PostgresArrayElement {
    /// Deletes the rows with these keys in one statement (`= ANY($1)`); returns how many.
    @discardableResult
    public func deleteMany(ids: [M.ID]) async throws -> Int {
        guard let key = M.primaryKey.first, M.primaryKey.count == 1 else {
            throw RepositoryError(.unsupported, "deleteMany(ids:) needs a single-column primary key")
        }
        let sql: SQL
        if let column = Self.softDeleteColumn {
            sql = "UPDATE \(M.tableSQL) SET \(ident: column) = now() WHERE \(ident: key) = ANY(\(ids)) AND \(ident: column) IS NULL"
        } else {
            sql = "DELETE FROM \(M.tableSQL) WHERE \(ident: key) = ANY(\(ids))"
        }
        let count = try await session.execute(sql)
        session.expireAll()
        return count
    }
}
