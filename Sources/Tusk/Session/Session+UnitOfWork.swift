extension Session {
    // MARK: - Pending writes

    /// Queues an insert of `model` for the next flush (or commit).
    ///
    /// Columns in ``Model/serverGenerated`` that are nil are left to the server; the stored row,
    /// with what the server generated, is available from the returned handle after the flush.
    @discardableResult
    public func add<M: Model>(_ model: M) -> PendingInsert<M> {
        let pending = PendingInsert(model: model)
        do {
            let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
            // A key the model provides must come back on the row matched to it: that is how a
            // batched insert's rows are checked against their inputs.
            let providedKey = (try? M.keyFields(of: row)).flatMap { key in key.contains { $0.bytes == nil } ? nil : key }
            pendingInserts.append(PendingWrite(
                kind: .insert, table: M.tableSQL, entity: M.entityName, fields: row.fields, key: [],
                serverGenerated: M.serverGenerated, managed: .of(M.self), handle: ObjectIdentifier(pending),
                complete: { [unowned self] row in
                    guard let row else {
                        throw SessionError(.flushFailed, message: "the insert into \(M.entityName) returned no row (a trigger skipped it?)")
                    }
                    let stored = try row.decode(M.self, keyMapping: M.keyMapping)
                    let snapshot = try self.remember(stored)
                    if let providedKey, let snapshot, let storedKey = try? M.keyFields(of: snapshot), storedKey != providedKey {
                        throw SessionError(.flushFailed, message: "a row returned by the insert into \(M.entityName) does not match its input")
                    }
                    pending.stored = stored
                }))
        } catch {
            pendingInserts.append(failedWrite(.insert, M.self, error))
        }
        return pending
    }

    /// Queues an update of a model: only the columns that differ from the row the session loaded
    /// are sent, and nothing at all when nothing changed. A model the session did not load is
    /// updated in full (every non-key column).
    ///
    /// An ``Auditable`` model's `updated_at` is set to `now()`. A ``Versioned`` model is written
    /// only where the row still has the version the session read (or the model carries) and its
    /// version incremented; a stale row makes the flush throw ``StaleDataError``.
    public func update<M: Model>(_ model: M) {
        do {
            let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
            let key = try M.keyFields(of: row)
            let identity = IdentityMap.key(M.self, fields: key)
            let managed = ManagedColumns.of(M.self)
            let (changed, whereKey) = try M.updateFields(row, loaded: identityMap.entry(for: identity)?.snapshot, managed: managed)
            guard !changed.isEmpty else {
                if let index = pendingUpdateKeys[identity] {
                    // Changed back to what was loaded: nothing to send after all.
                    pendingUpdates[index] = noOpWrite(M.self)
                }
                return
            }
            let write = PendingWrite(
                kind: .update, table: M.tableSQL, entity: M.entityName, fields: changed, key: whereKey,
                serverGenerated: [], managed: managed,
                complete: { [unowned self] row in
                    guard let row else { throw managed.missedUpdate(of: model, whereKey: whereKey) }
                    _ = try self.remember(try row.decode(M.self, keyMapping: M.keyMapping))
                })
            if let index = pendingUpdateKeys[identity] {
                pendingUpdates[index] = write
            } else {
                pendingUpdateKeys[identity] = pendingUpdates.count
                pendingUpdates.append(write)
            }
        } catch {
            pendingUpdates.append(failedWrite(.update, M.self, error))
        }
    }

    /// Queues a delete of the row `model` identifies.
    public func delete<M: Model>(_ model: M) {
        do {
            let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
            let key = try M.keyFields(of: row)
            let identity = IdentityMap.key(M.self, fields: key)
            if let index = pendingUpdateKeys.removeValue(forKey: identity) { pendingUpdates[index] = noOpWrite(M.self) }
            pendingDeletes.append(PendingWrite(
                kind: .delete, table: M.tableSQL, entity: M.entityName, fields: [], key: key, serverGenerated: [],
                complete: { [unowned self] _ in self.identityMap.remove(identity) }))
        } catch {
            pendingDeletes.append(failedWrite(.delete, M.self, error))
        }
    }

    /// Sends every pending write in one pipelined round trip — inserts in the order added, then
    /// updates, then deletes — and completes them: inserted and updated rows are read back
    /// (`RETURNING *`) into their handles and the identity map.
    ///
    /// Runs of same-shaped writes (1,000 inserts of one model) travel as one set-based statement
    /// (`INSERT … SELECT … FROM unnest(…)`), so the server executes a few statements, not
    /// thousands. When one fails, the flush rolls back to a savepoint taken before it and replays
    /// the writes one statement each (still one round trip) to name the change that failed.
    ///
    /// A flush that throws leaves the transaction failed, whatever the cause — a server error, an
    /// update that matched no row, a row that does not decode, a value that cannot be encoded:
    /// the pending writes were taken, so only a rollback is safe.
    ///
    /// - Throws: ``SessionError`` with code `flushFailed`, naming the change that failed and
    ///   carrying the server's error; ``NotFoundError`` for an update that matched no row;
    ///   ``StaleDataError`` for an update of a ``Versioned`` model whose row changed since it was read;
    ///   ``PostgresDecodingError`` for a stored row that does not decode as its model;
    ///   ``PipelineError`` with `unencodable` for a value that cannot be encoded (nothing sent).
    public func flush() async throws {
        try checkUsable()
        guard hasPendingWrites else { return }
        guard !options.autocommit else {
            throw SessionError(.invalidUsage, message: "an autocommit session cannot hold pending writes")
        }
        let writes = takePendingWrites()
        do {
            try await send(writes)
        } catch {
            transaction.unitOfWorkFailed(error, connectionLost: serverStatus == .lost)
            throw error
        }
    }

    /// Sends `writes` in one round trip, batched, and completes them; on a failure, replays them
    /// one by one after a savepoint rollback to name the failing change.
    private func send(_ writes: [PendingWrite]) async throws {
        let plan = try await flushStatements(for: writes)
        let batched = plan.count < writes.count
        var statements: [SQL] = []
        if batched { statements.append("SAVEPOINT tusk_flush") }
        statements += plan.map(\.sql)
        if batched { statements.append("RELEASE SAVEPOINT tusk_flush") }
        let outcomes = try await runPipeline(statements)
        let planOutcomes = Array(outcomes.dropFirst(batched ? 1 : 0).prefix(plan.count))
        if planOutcomes.allSatisfy({ if case .success = $0 { true } else { false } }) {
            try complete(writes, plan: plan, with: planOutcomes)
            return
        }
        guard batched else {
            try complete(writes, with: planOutcomes)
            return
        }
        // A batch failed: undo the flush and replay one statement a write, to name the culprit.
        await forgetColumnTypes(of: writes, ifStaleAfter: planOutcomes)
        _ = try await connection.runTransactionControl("ROLLBACK TO SAVEPOINT tusk_flush", timeout: .seconds(30))
        transaction.rolledBackToSavepoint()
        let replay = try await runPipeline(writes.map(FlushPlan.statement(for:)))
        try complete(writes, with: replay)
    }

    // MARK: - Identity map

    /// Remembers a row the session loaded: later loads of the same key return it without a query,
    /// and ``update(_:)`` diffs against it.
    ///
    /// Returns the snapshot, or nil in an autocommit session, which remembers nothing.
    @discardableResult
    func remember<M: Model>(_ model: M) throws -> EncodedRow? {
        // A one-shot autocommit session ends with its single statement: nothing to remember for,
        // and no encoding to pay.
        guard !options.autocommit else { return nil }
        let row = try EncodedRow(encoding: model, keyMapping: M.keyMapping)
        let key = IdentityMap.key(M.self, fields: try M.keyFields(of: row))
        identityMap.store(IdentityMap.Entry(value: model, snapshot: row), for: key)
        return row
    }

    /// The row with this primary key, if the session loaded it.
    func cached<M: Model>(_ type: M.Type, key: [EncodedRow.Field]) -> M? {
        identityMap.entry(for: IdentityMap.key(M.self, fields: key))?.value as? M
    }

    /// Forgets every loaded row, so the next loads query the server again.
    public func expireAll() {
        identityMap.removeAll()
    }

    /// How many rows the session remembers.
    public var identityMapCount: Int { identityMap.count }

    // MARK: - Internal

    func takePendingWrites() -> [PendingWrite] {
        let writes = FlushPlan.order(inserts: pendingInserts, updates: pendingUpdates.filter { !$0.isNoOp },
                                     deletes: pendingDeletes)
        dropPendingWrites()
        return writes
    }

    func dropPendingWrites() {
        pendingInserts.removeAll()
        pendingUpdates.removeAll()
        pendingUpdateKeys.removeAll()
        pendingDeletes.removeAll()
    }

    /// Completes batched writes from their statements' results.
    func complete(_ writes: [PendingWrite], plan: [FlushStatement], with outcomes: [PipelineOutcome]) throws {
        for (statement, outcome) in zip(plan, outcomes) {
            guard case .success(let result) = outcome else { continue }
            switch statement.shape {
            case .single(let index):
                try writes[index].complete(result.first)
            case .inserts(let indexes):
                // The executor inserts the SELECT's rows in its order (by ordinality) and returns
                // each as it is inserted. A count that differs, or a provided key that comes back
                // on another row, fails the flush loudly rather than pair rows with wrong inputs.
                guard result.count == indexes.count else {
                    throw SessionError(.flushFailed,
                                       message: "the batched insert into \(writes[indexes[0]].entity) returned \(result.count) rows for \(indexes.count) inputs")
                }
                for (position, index) in indexes.enumerated() {
                    try writes[index].complete(result[position])
                }
            case .updates(let indexes):
                var rows: [Int: Row] = [:]
                for row in result { rows[try row.decode(Int.self, at: 0) - 1] = row }
                for (position, index) in indexes.enumerated() { try writes[index].complete(rows[position]) }
            case .deletes(let indexes):
                for index in indexes { try writes[index].complete(nil) }
            }
        }
    }

    /// Completes flushed writes from their outcomes; the first failure becomes `flushFailed`.
    func complete(_ writes: [PendingWrite], with outcomes: [PipelineOutcome]) throws {
        for (index, write) in writes.enumerated() {
            switch outcomes[index] {
            case .success(let result):
                try write.complete(result.first)
            case .failure(let error):
                throw SessionError(.flushFailed, message: "pending write \(index) of \(writes.count) failed",
                                   change: write.summary, changeIndex: index, underlying: error)
            case .aborted:
                throw SessionError(.flushFailed, message: "pending write \(index) was aborted", change: write.summary, changeIndex: index)
            }
        }
    }

    private func failedWrite<M: Model>(_ kind: PendingWrite.Kind, _ type: M.Type, _ error: any Error) -> PendingWrite {
        // Encoding failed: the statement carries the error and flush throws it before sending.
        var sql = SQL()
        sql.bindings.encodingError = (error as? PostgresEncodingError)
            ?? PostgresEncodingError(.unsupportedValue, "\(M.self) cannot be encoded: \(error)")
        return PendingWrite(kind: kind, table: sql, entity: M.entityName, fields: [], key: [], serverGenerated: [],
                            complete: { _ in })
    }

    private func noOpWrite<M: Model>(_ type: M.Type) -> PendingWrite {
        PendingWrite(kind: .update, table: SQL(), entity: M.entityName, fields: [], key: [], serverGenerated: [],
                     complete: { _ in })
    }
}

extension PendingWrite {
    /// An update that was superseded (the row changed back, or is deleted).
    var isNoOp: Bool { kind == .update && fields.isEmpty }
}
