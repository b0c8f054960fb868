extension Session {
    // MARK: - Column types for bulk writes

    /// The column types of `tables`, from the connection's cache or, for the tables it lacks (or
    /// all of them, with `refresh`), one catalog query inside the session's transaction (so
    /// tables it created count). A table that does not exist has no entry. `cached` says whether
    /// any entry came from the cache, and so may predate a change of the table.
    ///
    /// - Throws: the errors of ``query(_:timeout:)``.
    func columnTypes(of tables: [String], refresh: Bool = false) async throws
        -> (types: [String: [String: PostgresColumnType]], cached: Bool) {
        var found = refresh ? [:] : await connection.cachedColumnTypes(of: tables)
        let cached = !found.isEmpty
        let missing = tables.filter { found[$0] == nil }
        guard !missing.isEmpty else { return (found, cached) }
        let read = try Connection.decodeColumnTypes(try await query(Connection.columnTypesQuery(tables: missing)))
        await connection.storeColumnTypes(read)
        found.merge(read) { _, new in new }
        return (found, cached)
    }

    /// The encoding plan for bulk writes into `table` on `path`; ``TableEncodingPlan/disabled``
    /// when the table does not exist (the write then fails with the server's error, as before).
    func encodingPlan(for table: SQL, entity: String, path: ColumnEncoding.Path,
                      refresh: Bool = false) async throws -> (plan: TableEncodingPlan, cached: Bool) {
        let (types, cached) = try await columnTypes(of: [table.text], refresh: refresh)
        guard let columns = types[table.text] else { return (.disabled, false) }
        return (TableEncodingPlan(table: entity, columns: columns, timeZone: await connection.sessionTimeZone, path: path), cached)
    }

    /// The statements of a flush of `writes` (``FlushPlan/statements(for:encodings:)``), with
    /// each set-based batch's arrays of its columns' own types.
    ///
    /// When a value does not convert and the types came from the connection's cache, they are
    /// read again and the statements rebuilt once: after an `ALTER TABLE` widened a column, a
    /// refusal based on the old type must not outlive the change.
    ///
    /// - Throws: ``SessionError`` with `flushFailed` when reading the column types fails on a
    ///   lost connection (nothing was written), and the errors of ``query(_:timeout:)``.
    func flushStatements(for writes: [PendingWrite]) async throws -> [FlushStatement] {
        var (plans, cached) = try await flushEncodingPlans(for: writes, refresh: false)
        var statements = FlushPlan.statements(for: writes, encodings: plans)
        let refused = statements.contains { $0.sql.bindings.encodingError.map(Self.mayBeStale) ?? false }
        if cached, refused {
            (plans, cached) = try await flushEncodingPlans(for: writes, refresh: true)
            statements = FlushPlan.statements(for: writes, encodings: plans)
        }
        return statements
    }

    /// Encoding plans for the tables of `writes` that a flush sends as set-based batches; an
    /// empty map when nothing is batched (and then no query).
    private func flushEncodingPlans(for writes: [PendingWrite], refresh: Bool) async throws
        -> (plans: [String: TableEncodingPlan], cached: Bool) {
        let tables = FlushPlan.batchedTables(writes)
        guard !tables.isEmpty else { return ([:], false) }
        let types: [String: [String: PostgresColumnType]]
        let cached: Bool
        do {
            (types, cached) = try await columnTypes(of: tables, refresh: refresh)
        } catch let error as ConnectionError {
            // Nothing of the flush (or of a COMMIT after it) was sent yet: say so, rather than let
            // a lost connection here read as a commit whose outcome is unknown.
            throw SessionError(.flushFailed, message: "reading the column types of \(tables.joined(separator: ", ")) before the flush failed; nothing was written",
                               underlying: error)
        }
        let timeZone = await connection.sessionTimeZone
        var plans: [String: TableEncodingPlan] = [:]
        for write in writes where plans[write.table.text] == nil {
            if let columns = types[write.table.text] {
                plans[write.table.text] = TableEncodingPlan(table: write.entity, columns: columns, timeZone: timeZone, path: .unnest)
            }
        }
        return (plans, cached)
    }

    /// Whether a client-side encoding error came from a column's type (a refusal or a range
    /// check), and so may be wrong when that type was read before the table changed.
    static func mayBeStale(_ error: PostgresEncodingError) -> Bool {
        error.columnType != nil
    }

    /// Forgets `table`'s column types when `error` suggests the table changed since they were read
    /// (a column's type or a column itself), so the next bulk write reads them again.
    func forgetColumnTypes(of table: SQL, ifStaleAfter error: any Error) async {
        if Self.suggestsChangedTable(error) { await connection.forgetColumnTypes(of: table.text) }
    }

    /// ``forgetColumnTypes(of:ifStaleAfter:)`` for the tables of a flush whose batch failed.
    func forgetColumnTypes(of writes: [PendingWrite], ifStaleAfter outcomes: [PipelineOutcome]) async {
        guard outcomes.contains(where: { if case .failure(let error) = $0 { Self.suggestsChangedTable(error) } else { false } }) else {
            return
        }
        for table in Set(writes.map(\.table.text)) { await connection.forgetColumnTypes(of: table) }
    }

    /// Errors a bulk write meets when the table's columns are no longer what the cache says:
    /// binary data of the wrong type (22P03, or 08P01 when a value is shorter than the type
    /// reads), an array of the wrong type (42804), an unknown column (42703), a prepared plan
    /// whose result type changed (0A000) — or a client-side refusal based on the cached type.
    static func suggestsChangedTable(_ error: any Error) -> Bool {
        let serverError: PostgresError?
        switch error {
        case let error as PostgresEncodingError: return mayBeStale(error)
        case let error as PostgresError: serverError = error
        case let error as PipelineError: serverError = error.serverError
        case let error as ConnectionError: serverError = error.serverError
        case let error as SessionError: return error.underlying.map(suggestsChangedTable) ?? false
        default: serverError = nil
        }
        guard let serverError else { return false }
        let state = serverError.sqlState
        return state == .invalidBinaryRepresentation || state == .datatypeMismatch || state == .protocolViolation
            || state == .undefinedColumn || Connection.isStalePlan(serverError)
    }
}
