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
    /// - Parameter progress: called with the number of rows sent so far, after each chunk.
    @discardableResult
    public func addMany(_ models: some Sequence<M>, chunkBytes: Int = 1 << 20, progress: ((Int) -> Void)? = nil) async throws -> Int {
        var iterator = models.makeIterator()
        return try await copyModels(chunkBytes: chunkBytes, progress: progress) { iterator.next() }
    }

    /// ``addMany(_:chunkBytes:progress:)`` fed from an `AsyncSequence`: memory stays bounded by
    /// the chunk size, whatever the number of rows. A producer that throws aborts the COPY (no row
    /// remains) and its error is rethrown.
    @discardableResult
    public func addMany<Models: AsyncSequence>(_ models: Models, chunkBytes: Int = 1 << 20,
                                               progress: ((Int) -> Void)? = nil) async throws -> Int where Models.Element == M {
        var iterator = models.makeAsyncIterator()
        return try await copyModels(chunkBytes: chunkBytes, progress: progress) { try await iterator.next(isolation: #isolation) }
    }

    private func copyModels(chunkBytes: Int, progress: ((Int) -> Void)?, next: () async throws -> M?) async throws -> Int {
        guard let first = try await next() else { return 0 }
        let context = RowEncodingContext(sink: CopyRowSink(
            encoder: PostgresBinaryCopyEncoder(capacity: chunkBytes + (chunkBytes >> 3)),
            keyMapping: M.keyMapping, omittable: M.serverGenerated))
        try encode(first, into: context)
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
            // An aborted COPY aborts the transaction: nothing of the batch can commit.
            session.fail(with: error)
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
    public func addMany<V>(_ models: some Sequence<M>, returning keyPath: KeyPath<M, V>, chunkSize: Int = 5_000) async throws -> [V] {
        var results: [V] = []
        for chunk in models.chunked(max(1, chunkSize)) {
            let encoded = try Self.columnar(chunk, tracking: [])
            let omitted = Set(encoded.columns.filter { M.serverGenerated.contains($0.name) && $0.nullCount == encoded.rows }.map(\.name))
            let source = try await unnestSource(encoded, omitting: omitted, ordered: true)
            let sql: SQL = "INSERT INTO \(M.tableSQL) (\(idents: source.columns)) \(source.select) RETURNING *"
            let stored = try await session.query(sql).decode(M.self, keyMapping: M.keyMapping)
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

    /// What an upsert does to a row that already exists.
    public enum UpsertUpdate {
        /// Overwrite every column except the match columns with the new values.
        case allColumns
        /// Overwrite only these columns.
        case columns([PartialKeyPath<M>])
        /// Leave the existing row as it is (`ON CONFLICT DO NOTHING`).
        case nothing
    }

    /// Inserts `model`, or updates the row with the same `matching` columns
    /// (`INSERT … ON CONFLICT (…) DO UPDATE SET col = EXCLUDED.col`). Returns the stored row, or
    /// nil when nothing was written (`update: .nothing`, or a `where` condition that excluded
    /// the existing row).
    ///
    /// - Throws: ``RepositoryError`` with `notUnique` when `matching` is not a primary key or
    ///   unique constraint, naming the columns.
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
    /// `chunkSize` rows, the rows travelling as arrays through `unnest`. Returns how many rows were
    /// inserted or updated.
    ///
    /// Two models with the same match key in one batch: the last one wins, applied before
    /// sending — PostgreSQL would otherwise refuse ("ON CONFLICT DO UPDATE command cannot affect
    /// row a second time").
    @discardableResult
    public func upsertMany(_ models: some Sequence<M>, matching: [PartialKeyPath<M>], update: UpsertUpdate = .allColumns,
                           where condition: Filter<M>? = nil, chunkSize: Int = 10_000) async throws -> Int {
        let plan = try UpsertPlan(matching: matching, update: update, condition: condition)
        let chunks = models.chunked(max(1, chunkSize))
        guard !chunks.isEmpty else { return 0 }
        // Encode the next chunk on another core while the server executes this one: the client's
        // work hides behind the server's, and memory holds two chunks, not the whole input.
        var next = Task.detached { try Self.encodeUpsert(chunks[0], plan: plan) }
        var affected = 0
        for index in chunks.indices {
            let encoded = try await next.value
            if index + 1 < chunks.count {
                let following = chunks[index + 1]
                next = Task.detached { try Self.encodeUpsert(following, plan: plan) }
            }
            affected += try await runUpsert(encoded, plan: plan, returning: false).affectedRows ?? 0
        }
        // Rows of M changed without coming back: what the session loaded may be stale.
        session.identityMap.removeAll(of: M.self)
        return affected
    }

    private func upsertChunk(_ models: [M], matching: [PartialKeyPath<M>], update: UpsertUpdate, where condition: Filter<M>?,
                             returning: Bool) async throws -> QueryResult {
        let plan = try UpsertPlan(matching: matching, update: update, condition: condition)
        return try await runUpsert(try Self.encodeUpsert(models, plan: plan), plan: plan, returning: returning)
    }

    /// The resolved columns of an upsert.
    struct UpsertPlan: Sendable {
        let matchColumns: [String]
        /// The columns to overwrite on conflict; nil for every non-match column.
        let updateColumns: [String]?
        let doNothing: Bool
        let condition: SQL?

        init(matching: [PartialKeyPath<M>], update: UpsertUpdate, condition: Filter<M>?) throws {
            let schema = ModelSchema.of(M.self)
            func column(_ keyPath: PartialKeyPath<M>) throws -> String {
                guard let column = schema.column(for: keyPath) else {
                    throw RepositoryError(.unknownColumn, "\(keyPath) is not a stored property of \(M.self)")
                }
                return column
            }
            matchColumns = try matching.map(column)
            guard !matchColumns.isEmpty else { throw RepositoryError(.invalidArgument, "an upsert needs matching columns") }
            switch update {
            case .nothing: updateColumns = []; doNothing = true
            case .allColumns: updateColumns = nil; doNothing = false
            case .columns(let keyPaths): updateColumns = try keyPaths.map(column); doNothing = false
            }
            self.condition = try condition?.build()
        }
    }

    /// A chunk of models as columns, duplicates resolved (last one wins).
    static func encodeUpsert(_ models: [M], plan: UpsertPlan) throws -> ColumnarSink {
        let encoded = try columnar(models, tracking: Set(plan.matchColumns))
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
        return try columnar(models.enumerated().filter { keep.contains($0.offset) }.map(\.element), tracking: [])
    }

    private func runUpsert(_ encoded: ColumnarSink, plan: UpsertPlan, returning: Bool) async throws -> QueryResult {
        let omitted = Set(encoded.columns.filter {
            M.serverGenerated.contains($0.name) && $0.nullCount == encoded.rows && !plan.matchColumns.contains($0.name)
        }.map(\.name))
        let source = try await unnestSource(encoded, omitting: omitted, ordered: false)
        var sql: SQL = "INSERT INTO \(M.tableSQL) (\(idents: source.columns)) \(source.select) ON CONFLICT (\(idents: plan.matchColumns)) "
        let updated = plan.updateColumns ?? source.columns.filter { !plan.matchColumns.contains($0) }
        if plan.doNothing || updated.isEmpty {
            sql.append("DO NOTHING")
        } else {
            sql.append("DO UPDATE SET \(SQL.join(updated.map { "\(ident: $0) = EXCLUDED.\(ident: $0)" }, separator: ", "))")
            if let condition = plan.condition { sql.append(" WHERE \(condition)") }
        }
        if returning { sql.append(" RETURNING *") }
        do {
            return try await session.query(sql)
        } catch let error as PostgresError where error.sqlState == .invalidColumnReference {
            throw RepositoryError(.notUnique,
                                  "(\(plan.matchColumns.joined(separator: ", "))) is not a primary key or unique constraint of \(M.entityName): \(error.message)")
        }
    }

    // MARK: - updateMany

    /// Updates many rows by primary key in set-based statements — one `UPDATE … FROM unnest(…)`
    /// per chunk, never one per row. Writes `columns` (default: every non-key column). Returns how
    /// many rows changed.
    @discardableResult
    public func updateMany(_ models: some Sequence<M>, columns: [PartialKeyPath<M>]? = nil, chunkSize: Int = 20_000) async throws -> Int {
        let schema = ModelSchema.of(M.self)
        let chosen = try columns.map { keyPaths in
            try Set(keyPaths.map { keyPath -> String in
                guard let column = schema.column(for: keyPath) else {
                    throw RepositoryError(.unknownColumn, "\(keyPath) is not a stored property of \(M.self)")
                }
                return column
            })
        }
        var affected = 0
        for chunk in models.chunked(max(1, chunkSize)) {
            let encoded = try Self.columnar(chunk, tracking: [])
            let source = try await unnestSource(encoded, omitting: [], ordered: false)
            let assigned = source.columns.filter { !M.primaryKey.contains($0) && (chosen?.contains($0) ?? true) }
            guard !assigned.isEmpty else { throw RepositoryError(.invalidArgument, "updateMany has no column to set") }
            let sql: SQL = """
                UPDATE \(M.tableSQL) AS tusk_target SET \(SQL.join(assigned.map { "\(ident: $0) = tusk_source.\(ident: $0)" }, separator: ", ")) \
                FROM (\(source.select)) AS tusk_source (\(idents: source.columns)) \
                WHERE \(SQL.join(M.primaryKey.map { "tusk_target.\(ident: $0) = tusk_source.\(ident: $0)" }, separator: " AND "))
                """
            affected += try await session.execute(sql)
        }
        session.expireAll()
        return affected
    }

    // MARK: - Columnar encoding

    static func columnar(_ models: [M], tracking: Set<String>) throws -> ColumnarSink {
        var sink = ColumnarSink(keyMapping: M.keyMapping)
        sink.trackedColumns = tracking
        let context = RowEncodingContext(sink: sink)
        for model in models {
            context.sink.beginRow()
            try context.encode(model)
            try context.sink.endRow()
        }
        sink = context.sink
        return sink
    }

    /// `SELECT u.c1, u.c2 FROM unnest($1::int8[], $2::text[]) AS u(c1, c2)` over the encoded
    /// columns, casting columns Tusk cannot name (enums, domains) to the table's own types.
    func unnestSource(_ encoded: ColumnarSink, omitting: Set<String>, ordered: Bool) async throws -> (columns: [String], select: SQL) {
        let indexes = encoded.columns.indices.filter { !omitting.contains(encoded.columns[$0].name) }
        let columns = indexes.map { encoded.columns[$0].name }
        var tableTypes: [String: String] = [:]
        if indexes.contains(where: { encoded.array($0).arrayTypeName == nil || encoded.columns[$0].type == .unspecified }) {
            tableTypes = try await columnTypes()
        }
        var arrays: [SQL] = []
        var selected: [SQL] = []
        for (position, index) in indexes.enumerated() {
            let array = encoded.array(index)
            let alias = "c\(position + 1)"
            let name = encoded.columns[index].name
            if let typeName = array.arrayTypeName, encoded.columns[index].type != .unspecified {
                arrays.append("\(array)::\(unsafeRaw: typeName)")
                selected.append("u.\(unsafeRaw: alias)")
            } else if let target = tableTypes[name] {
                arrays.append("\(array)::text[]")
                selected.append("u.\(unsafeRaw: alias)::\(unsafeRaw: target)")
            } else {
                throw RepositoryError(.unknownColumn, "\(M.entityName) has no column \(name.debugDescription)")
            }
        }
        let aliases = (1...max(1, indexes.count)).map { "c\($0)" }.joined(separator: ", ")
        var select: SQL = "SELECT \(SQL.join(selected, separator: ", ")) FROM unnest(\(SQL.join(arrays, separator: ", ")))"
        if ordered {
            select.append(" WITH ORDINALITY AS u(\(unsafeRaw: aliases), tusk_ordinality) ORDER BY u.tusk_ordinality")
        } else {
            select.append(" AS u(\(unsafeRaw: aliases))")
        }
        return (columns, select)
    }

    /// The table's column types as SQL (`format_type`), for casts of values Tusk sends as text.
    private func columnTypes() async throws -> [String: String] {
        let result = try await session.query("""
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a WHERE a.attrelid = \(M.tableSQL.text)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """)
        var types: [String: String] = [:]
        for row in result { types[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return types
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
