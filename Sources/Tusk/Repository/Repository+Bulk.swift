extension Repository {
    // MARK: - addMany through COPY

    /// Inserts many models through `COPY … FROM STDIN (FORMAT binary)`, the fastest way into
    /// PostgreSQL: rows are encoded straight into the COPY buffer and sent in chunks of about
    /// `chunkBytes`, waiting while the server is slower. Returns the number of rows copied.
    ///
    /// All of it joins the session's transaction: when anything fails — a bad row, a constraint,
    /// the connection, a cancelled task — none of the rows remain. The server's error names the
    /// failing line (`PostgresError.context`: `COPY users, line 700001`).
    ///
    /// Nil ``Model/serverGenerated`` columns of the first model are left to the server for every
    /// row; use ``addMany(_:returning:chunkSize:)`` to read generated values back.
    ///
    /// Binary COPY has no casts, so each value is converted to its column's own type here (an
    /// `Int` into an `integer` column, a `Date` into a `date`), as the server's assignment cast
    /// would; the table's column types are read once per connection (see `ColumnEncoding` for
    /// the conversions).
    ///
    /// - Parameters:
    ///   - models: the rows to insert.
    ///   - chunkBytes: about how many encoded bytes are sent at a time.
    ///   - progress: called with the number of rows sent so far, after each chunk.
    /// - Throws: ``PostgresEncodingError`` with `typeMismatch` (naming the column and both types)
    ///   for a property whose type the column cannot take — before the COPY starts when the first
    ///   model has a value there — and with `outOfRange` (naming the column) for a value that does
    ///   not fit, raised before that value is sent: the COPY is then aborted, none of its rows
    ///   remain and the session's transaction can only roll back. ``PostgresError`` for what the
    ///   server rejects. After an `ALTER TABLE` changed a column's type, the first COPY on a
    ///   connection that read the old type fails with ``PostgresError`` `22P03`
    ///   (`invalidBinaryRepresentation`) or `08P01` (`protocolViolation`); the connection then
    ///   forgets the table's types, and the next call reads them again.
    @discardableResult
    public func addMany(_ models: some Sequence<M>, chunkBytes: Int = 1 << 20, progress: ((Int) -> Void)? = nil) async throws -> Int {
        var iterator = models.makeIterator()
        return try await copyModels(chunkBytes: chunkBytes, progress: progress) { iterator.next() }
    }

    /// ``addMany(_:chunkBytes:progress:)-(Sequence<M>,_,_)`` fed from an `AsyncSequence`: memory stays bounded by
    /// the chunk size, whatever the number of rows. A producer that throws aborts the COPY (no row
    /// remains) and its error is rethrown.
    @discardableResult
    public func addMany<Models: AsyncSequence>(_ models: Models, chunkBytes: Int = 1 << 20,
                                               progress: ((Int) -> Void)? = nil) async throws -> Int where Models.Element == M {
        var iterator = models.makeAsyncIterator()
        return try await copyModels(chunkBytes: chunkBytes, progress: progress) { try await iterator.next(isolation: #isolation) }
    }

    private func copyModels(chunkBytes: Int, progress: ((Int) -> Void)?, next unstamped: () async throws -> M?) async throws -> Int {
        guard let unstampedFirst = try await unstamped() else { return 0 }
        // COPY takes no expressions: nil audit columns get the server's now(), asked for once.
        let stamp = try await auditStamp()
        func next() async throws -> M? { try await unstamped().map(stamp) }
        let first = stamp(unstampedFirst)
        var plan = try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: .copy)
        // The first row fixes the columns and their conversions: a refused pair fails here,
        // before the COPY starts.
        let context = try await encoding(with: &plan, path: .copy) { plan in
            let context = RowEncodingContext(sink: CopyRowSink(
                encoder: PostgresBinaryCopyEncoder(capacity: chunkBytes + (chunkBytes >> 3)),
                keyMapping: M.keyMapping, omittable: M.serverGenerated, plan: plan))
            try encode(first, into: context)
            return context
        }
        let columns = context.sink.columns
        try await session.ensureBegun()
        var sent = 1
        // Whatever happens, rows of M may now differ from what the session loaded.
        defer { session.identityMap.removeAll(of: M.self) }
        do {
            return try await session.connection.copyIn("COPY \(M.tableSQL) (\(idents: columns)) FROM STDIN (FORMAT binary)") { writer in
                while let model = try await next() {
                    try encode(model, into: context)
                    sent += 1
                    if context.sink.encoder.count >= chunkBytes {
                        try await writer.write(context.sink.encoder.bytes)
                        context.sink.encoder.clear()
                        progress?(sent)
                    }
                }
                context.sink.encoder.finish()
                try await writer.write(context.sink.encoder.bytes)
                progress?(sent)
            }
        } catch {
            // An aborted COPY aborts the transaction, even when Tusk aborted it for a value it
            // refused to encode: nothing of the batch can commit.
            session.failCopy(with: error)
            await session.forgetColumnTypes(of: M.tableSQL, ifStaleAfter: error)
            throw error
        }
    }

    @inline(__always)
    private func encode(_ model: M, into context: RowEncodingContext<CopyRowSink>) throws {
        context.sink.beginRow()
        try context.encode(model)
        try context.sink.endRow()
    }

    // MARK: - addMany returning

    /// Inserts many models and returns `keyPath` of each stored row, in input order — pass
    /// `\.id` for the generated keys, or `\.self` for whole rows. Each chunk is one statement,
    /// `INSERT … SELECT … FROM unnest($1, $2, …) RETURNING *`: one array parameter per column,
    /// never one statement (or one parameter) per row.
    ///
    /// Each column travels as an array of the column's own type, values converted here (see
    /// ``addMany(_:chunkBytes:progress:)-(Sequence<M>,_,_)``).
    ///
    /// - Throws: ``PostgresEncodingError`` (`typeMismatch`, `outOfRange`, naming the column) before
    ///   the chunk's statement is sent; `unsupportedValue` for an array column, which `unnest`
    ///   cannot carry; ``PostgresError`` for what the server rejects.
    public func addMany<V>(_ models: some Sequence<M>, returning keyPath: KeyPath<M, V>, chunkSize: Int = 5_000) async throws -> [V] {
        var results: [V] = []
        let chunks = models.chunked(max(1, chunkSize))
        guard !chunks.isEmpty else { return [] }
        var plan = try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: .unnest)
        for chunk in chunks {
            let encoded = try await encoding(with: &plan, path: .unnest) { try Self.columnar(chunk, tracking: [], plan: $0) }
            let omitted = Set(encoded.columns.filter { M.serverGenerated.contains($0.name) && $0.nullCount == encoded.rows }.map(\.name))
            let source = try unnestSource(encoded, omitting: omitted, ordered: true, stamping: ManagedColumns.of(M.self).stampedOnInsert)
            let sql: SQL = "INSERT INTO \(M.tableSQL) (\(idents: source.columns)) \(source.select) RETURNING \(M.rowColumns)"
            let stored = try await runUnnest(sql).decode(M.self, keyMapping: M.keyMapping)
            // The rows come back in the SELECT's order (by ordinality); a count that differs (a
            // trigger skipped a row) would pair values with the wrong inputs: fail loudly.
            guard stored.count == chunk.count else {
                let error = RepositoryError(.invalidArgument, "the insert into \(M.entityName) returned \(stored.count) rows for \(chunk.count) inputs")
                session.fail(with: error)
                throw error
            }
            results.reserveCapacity(results.count + stored.count)
            for model in stored {
                try session.remember(model)
                results.append(model[keyPath: keyPath])
            }
        }
        return results
    }

    // MARK: - Upsert

    /// Inserts `model`, or updates the row with the same `matching` columns
    /// (`INSERT … ON CONFLICT (…) DO UPDATE SET col = EXCLUDED.col`). Returns the stored row, or
    /// nil when nothing was written (`update: .nothing`, or a `where` condition that excluded
    /// the existing row).
    ///
    /// ```swift
    /// try await posts.upsert(post, matching: [\.slug], update: .columns([\.title]) + [.now(\.editedAt)])
    /// ```
    ///
    /// An ``Auditable`` model's nil timestamps are inserted as `now()`, and `DO UPDATE` sets
    /// `updated_at = now()` and keeps `created_at`; a ``Versioned`` model's version is
    /// incremented by `DO UPDATE`.
    ///
    /// - Throws: ``RepositoryError`` with `notUnique` when `matching` is not a primary key or
    ///   unique constraint, naming the columns; with `unknownColumn` or `invalidArgument` for an
    ///   assignment it cannot render (see ``UpsertUpdate``), before anything is sent.
    @discardableResult
    public func upsert(_ model: M, matching: [PartialKeyPath<M>], update: UpsertUpdate = .allColumns,
                       where condition: Filter<M>? = nil) async throws -> M? {
        let stored = try await upsertChunk([model], matching: matching, update: update, where: condition, returning: true)
        guard let row = stored.first else { return nil }
        let value = try row.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(value)
        return value
    }

    /// Upserts many models (see ``upsert(_:matching:update:where:)``) in statements of up to
    /// `chunkSize` rows, the rows travelling as arrays through `unnest`, each of its column's own
    /// type. Returns how many rows were inserted or updated.
    ///
    /// Two models with the same match key in one batch: the last one wins, applied before
    /// sending — PostgreSQL would otherwise refuse ("ON CONFLICT DO UPDATE command cannot affect
    /// row a second time").
    ///
    /// The models are read from `models` one chunk at a time: while the server executes a chunk,
    /// the next one is read and encoded on another core, so memory holds about two chunks,
    /// whatever the input's length.
    ///
    /// - Throws: as ``addMany(_:returning:chunkSize:)``; ``RepositoryError`` with `notUnique`
    ///   when `matching` is not a primary key or unique constraint.
    @discardableResult
    public func upsertMany(_ models: some Sequence<M>, matching: [PartialKeyPath<M>], update: UpsertUpdate = .allColumns,
                           where condition: Filter<M>? = nil, chunkSize: Int = 10_000) async throws -> Int {
        let upsert = try UpsertPlan(matching: matching, update: update, condition: condition)
        let size = max(1, chunkSize)
        var iterator = models.makeIterator()
        // The sequence is read here, on the calling task (its iterator need not be Sendable); only
        // the encoding of a chunk already read runs detached.
        func nextChunk() -> [M] {
            var chunk: [M] = []
            chunk.reserveCapacity(size)
            while chunk.count < size, let model = iterator.next() { chunk.append(model) }
            return chunk
        }
        let first = nextChunk()
        guard !first.isEmpty else { return 0 }
        var plan = try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: .unnest)
        func preEncode(_ chunk: [M]) -> (task: Task<UnnestColumns, any Error>, chunk: [M]) {
            let encoding = plan.plan
            return (Task.detached { try Self.encodeUpsert(chunk, plan: upsert, encoding: encoding) }, chunk)
        }
        var pending: (task: Task<UnnestColumns, any Error>, chunk: [M])? = preEncode(first)
        var affected = 0
        do {
            while let current = pending {
                let encoded: UnnestColumns
                do {
                    encoded = try await current.task.value
                } catch let error as PostgresEncodingError where plan.cached && Session.mayBeStale(error) {
                    // Refused by cached column types: read them again, and encode this chunk once more.
                    plan = try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: .unnest, refresh: true)
                    encoded = try Self.encodeUpsert(current.chunk, plan: upsert, encoding: plan.plan)
                }
                let following = nextChunk()
                // Encode the next chunk on another core while the server executes this one.
                pending = following.isEmpty ? nil : preEncode(following)
                affected += try await runUpsert(encoded, plan: upsert, returning: false).affectedRows ?? 0
            }
        } catch {
            // Never leave an encoding running behind the caller's back.
            pending?.task.cancel()
            _ = try? await pending?.task.value
            throw error
        }
        // Rows of M changed without coming back: what the session loaded may be stale.
        session.identityMap.removeAll(of: M.self)
        return affected
    }

    private func upsertChunk(_ models: [M], matching: [PartialKeyPath<M>], update: UpsertUpdate, where condition: Filter<M>?,
                             returning: Bool) async throws -> QueryResult {
        let plan = try UpsertPlan(matching: matching, update: update, condition: condition)
        var encoding = try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: .unnest)
        let encoded = try await self.encoding(with: &encoding, path: .unnest) { try Self.encodeUpsert(models, plan: plan, encoding: $0) }
        return try await runUpsert(encoded, plan: plan, returning: returning)
    }

    /// The resolved columns of an upsert.
    struct UpsertPlan: Sendable {
        let matchColumns: [String]
        /// The columns to overwrite with `EXCLUDED`; nil for every non-match column.
        let updateColumns: [String]?
        /// The rendered explicit assignments, and the columns they set.
        let assignments: [SQL]
        let assignedColumns: Set<String>
        let doNothing: Bool
        let condition: SQL?
        let managed: ManagedColumns

        init(matching: [PartialKeyPath<M>], update: UpsertUpdate, condition: Filter<M>?) throws {
            let schema = ModelSchema.of(M.self)
            func column(_ keyPath: PartialKeyPath<M>) throws -> String { try schema.requireColumn(for: keyPath, of: M.self) }
            matchColumns = try matching.map(column)
            guard !matchColumns.isEmpty else { throw RepositoryError(.invalidArgument, "an upsert needs matching columns") }
            guard !(update.doesNothing && !update.assignments.isEmpty) else {
                throw RepositoryError(.invalidArgument, "an upsert that does nothing on conflict cannot assign columns")
            }
            doNothing = update.doesNothing
            updateColumns = try update.columns.map { try $0.map(column) }
            assignments = try Assignment.render(update.assignments, upsertTarget: M.tableSQL)
            assignedColumns = Set(update.assignments.map(\.column))
            self.condition = try condition?.build()
            managed = .of(M.self)
        }

        /// The `DO UPDATE SET` items given the inserted columns; empty for `DO NOTHING`. The
        /// model's own audit and version values never overwrite the stored ones.
        func setItems(inserted: [String]) -> [SQL] {
            guard !doNothing else { return [] }
            let excluded = (updateColumns ?? inserted.filter { !matchColumns.contains($0) })
                .filter { !assignedColumns.contains($0) && !managed.all.contains($0) }
            let items = excluded.map { column -> SQL in "\(ident: column) = EXCLUDED.\(ident: column)" } + assignments
            guard !items.isEmpty else { return [] }
            return items + managed.updateAssignments(qualifier: M.tableSQL, skipping: assignedColumns)
        }
    }

    /// A chunk of models as columns, duplicates resolved (last one wins).
    static func encodeUpsert(_ models: [M], plan: UpsertPlan, encoding: TableEncodingPlan = .disabled) throws -> UnnestColumns {
        let encoded = try columnar(models, tracking: Set(plan.matchColumns), plan: encoding)
        let matchIndexes = plan.matchColumns.compactMap { name in encoded.columns.firstIndex { $0.name == name } }
        func key(_ row: Int) -> [ArraySlice<UInt8>] { matchIndexes.map { encoded.element(row: row, column: $0) } }
        // Usually every key is distinct: find out cheaply before building the last-wins map.
        var seen = Set<[ArraySlice<UInt8>]>(minimumCapacity: encoded.rows)
        var duplicates = false
        for row in 0..<encoded.rows where !seen.insert(key(row)).inserted {
            duplicates = true
            break
        }
        guard duplicates else { return encoded }
        var lastIndex: [[ArraySlice<UInt8>]: Int] = [:]
        for row in 0..<encoded.rows { lastIndex[key(row)] = row }
        let keep = Set(lastIndex.values)
        return try columnar(models.enumerated().filter { keep.contains($0.offset) }.map(\.element), tracking: [], plan: encoding)
    }

    private func runUpsert(_ encoded: UnnestColumns, plan: UpsertPlan, returning: Bool) async throws -> QueryResult {
        let omitted = Set(encoded.columns.filter {
            M.serverGenerated.contains($0.name) && $0.nullCount == encoded.rows && !plan.matchColumns.contains($0.name)
        }.map(\.name))
        let source = try unnestSource(encoded, omitting: omitted, ordered: false, stamping: plan.managed.stampedOnInsert)
        var sql: SQL = "INSERT INTO \(M.tableSQL) (\(idents: source.columns)) \(source.select) ON CONFLICT (\(idents: plan.matchColumns)) "
        let items = plan.setItems(inserted: source.columns)
        if items.isEmpty {
            sql.append("DO NOTHING")
        } else {
            sql.append("DO UPDATE SET \(SQL.join(items, separator: ", "))")
            if let condition = plan.condition { sql.append(" WHERE \(condition)") }
        }
        if returning { sql.append(" RETURNING \(M.rowColumns)") }
        return try await onConflictTarget(plan.matchColumns) { try await runUnnest(sql) }
    }

    // MARK: - updateMany

    /// Updates many rows by primary key in set-based statements — one `UPDATE … FROM unnest(…)`
    /// per chunk, never one per row. Writes `columns` (default: every non-key column). Returns how
    /// many rows changed.
    ///
    /// An ``Auditable`` model's `updated_at` is set to `now()` and its `created_at` kept; a
    /// ``Versioned`` model's version is incremented, without checking it (use ``update(_:)`` or
    /// a session's flush for optimistic locking).
    ///
    /// - Throws: as ``addMany(_:returning:chunkSize:)``.
    @discardableResult
    public func updateMany(_ models: some Sequence<M>, columns: [PartialKeyPath<M>]? = nil, chunkSize: Int = 20_000) async throws -> Int {
        let schema = ModelSchema.of(M.self)
        let managed = ManagedColumns.of(M.self)
        let chosen = try columns.map { keyPaths in
            try Set(keyPaths.map { try schema.requireColumn(for: $0, of: M.self) })
        }
        var affected = 0
        let chunks = models.chunked(max(1, chunkSize))
        var plan: (plan: TableEncodingPlan, cached: Bool) = chunks.isEmpty ? (.disabled, false)
            : try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: .unnest)
        for chunk in chunks {
            let encoded = try await encoding(with: &plan, path: .unnest) { try Self.columnar(chunk, tracking: [], plan: $0) }
            let source = try unnestSource(encoded, omitting: [], ordered: false)
            let assigned = source.columns.filter {
                !M.primaryKey.contains($0) && !managed.all.contains($0) && (chosen?.contains($0) ?? true)
            }
            guard !assigned.isEmpty else { throw RepositoryError(.invalidArgument, "updateMany has no column to set") }
            let items = assigned.map { column -> SQL in "\(ident: column) = tusk_source.\(ident: column)" }
                + managed.updateAssignments(qualifier: "tusk_target")
            let sql: SQL = """
                UPDATE \(M.tableSQL) AS tusk_target SET \(SQL.join(items, separator: ", ")) \
                FROM (\(source.select)) AS tusk_source (\(idents: source.columns)) \
                WHERE \(SQL.join(M.primaryKey.map { "tusk_target.\(ident: $0) = tusk_source.\(ident: $0)" }, separator: " AND "))
                """
            affected += try await runUnnest(sql).affectedRows ?? 0
        }
        session.expireAll()
        return affected
    }

    // MARK: - Columnar encoding

    static func columnar(_ models: [M], tracking: Set<String>, plan: TableEncodingPlan = .disabled) throws -> UnnestColumns {
        var sink = UnnestColumns(keyMapping: M.keyMapping, plan: plan)
        sink.trackedColumns = tracking
        let context = RowEncodingContext(sink: sink)
        for (index, model) in models.enumerated() {
            // Encoding may run detached (upsertMany): stop soon when the caller gave up.
            if index & 1023 == 1023 { try Task.checkCancellation() }
            context.sink.beginRow()
            try context.encode(model)
            try context.sink.endRow()
        }
        sink = context.sink
        return sink
    }

    /// `SELECT u.c1, u.c2 FROM unnest($1::bigint[], $2::text[]) AS u(c1, c2)` over the encoded
    /// columns, each array of its column's own type when the table's types are known.
    ///
    /// - Throws: ``PostgresEncodingError`` with `unsupportedValue` for an array column.
    ///
    /// Columns in `stamping` (audit columns) are `now()` where NULL: left out of the arrays when
    /// NULL in every row (or absent), `COALESCE(u.cN, now())` otherwise.
    func unnestSource(_ encoded: UnnestColumns, omitting: Set<String>, ordered: Bool,
                      stamping: [String] = []) throws -> (columns: [String], select: SQL) {
        let indexes = encoded.columns.indices.filter { index in
            let column = encoded.columns[index]
            return !omitting.contains(column.name) && !(stamping.contains(column.name) && column.nullCount == encoded.rows)
        }
        let sent = Set(indexes.map { encoded.columns[$0].name })
        let stampedOnly = stamping.filter { !sent.contains($0) }
        let columns = indexes.map { encoded.columns[$0].name } + stampedOnly
        var arrays: [SQL] = []
        var selected: [SQL] = []
        for (position, index) in indexes.enumerated() {
            let alias = "c\(position + 1)"
            arrays.append(try encoded.arraySQL(index))
            let nullable = encoded.columns[index].nullCount > 0 && stamping.contains(encoded.columns[index].name)
            selected.append(nullable ? "COALESCE(u.\(unsafeRaw: alias), now())" : "u.\(unsafeRaw: alias)")
        }
        selected += stampedOnly.map { _ in "now()" }
        let aliases = (1...max(1, indexes.count)).map { "c\($0)" }.joined(separator: ", ")
        var select: SQL = "SELECT \(SQL.join(selected, separator: ", ")) FROM unnest(\(SQL.join(arrays, separator: ", ")))"
        if ordered {
            select.append(" WITH ORDINALITY AS u(\(unsafeRaw: aliases), tusk_ordinality) ORDER BY u.tusk_ordinality")
        } else {
            select.append(" AS u(\(unsafeRaw: aliases))")
        }
        return (columns, select)
    }

    /// Runs `body` (encoding before anything is sent) with the table's encoding plan. When it
    /// fails on a column's type and the types came from the connection's cache, they are read
    /// again and `body` runs once more: after an `ALTER TABLE` widened a column, a refusal based
    /// on the old type must not outlive the change.
    private func encoding<T>(with plan: inout (plan: TableEncodingPlan, cached: Bool), path: ColumnEncoding.Path,
                             _ body: (TableEncodingPlan) throws -> T) async throws -> T {
        do {
            return try body(plan.plan)
        } catch let error as PostgresEncodingError where plan.cached && Session.mayBeStale(error) {
            plan = try await session.encodingPlan(for: M.tableSQL, entity: M.entityName, path: path, refresh: true)
            return try body(plan.plan)
        }
    }

    /// Runs an `unnest` statement; a failure that says the table changed makes the connection
    /// read its column types again next time.
    private func runUnnest(_ sql: SQL) async throws -> QueryResult {
        do {
            return try await session.query(sql)
        } catch {
            await session.forgetColumnTypes(of: M.tableSQL, ifStaleAfter: error)
            throw error
        }
    }
}

extension Sequence {
    /// The elements in arrays of at most `size`.
    func chunked(_ size: Int) -> [[Element]] {
        var chunks: [[Element]] = []
        var current: [Element] = []
        current.reserveCapacity(size)
        for element in self {
            current.append(element)
            if current.count == size {
                chunks.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}
