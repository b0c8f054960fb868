/// Typed CRUD, filtering, paging, counting and streaming for one model, inside a session's
/// transaction. It never commits: the session does, when its closure returns.
///
/// ```swift
/// try await pool.withSession { session in
///     let users = session.repository(User.self)
///     let ada = try await users.add(User(id: nil, email: "ada@example.com", displayName: "Ada"))
///     let page = try await users.listAndCount(where: \.displayName != "", orderBy: [.asc(\.id)], limit: 20)
///     try await users.updateWhere(\.lastLogin < cutoff, set: [.set(\.active, false)])
/// }
/// ```
///
/// Domain queries belong in extensions: `extension Repository where M == User { func findByEmail(…) }`.
/// Several repositories of one session share its transaction.
public struct Repository<M: Model> {
    /// The session whose transaction this repository works in.
    public let session: Session

    init(session: Session) {
        self.session = session
    }

    // MARK: - SQL building

    /// The condition for `filter`, plus the soft-delete guard for soft-deletable models.
    func condition(_ filter: Filter<M>?, includeDeleted: Bool = false) throws -> SQL {
        var parts: [SQL] = []
        if let filter { parts.append(try filter.build()) }
        if !includeDeleted, let column = Self.softDeleteColumn { parts.append("\(ident: column) IS NULL") }
        return parts.isEmpty ? "TRUE" : SQL.join(parts, separator: " AND ")
    }

    func orderClause(_ orderBy: [Order<M>]) throws -> SQL {
        guard !orderBy.isEmpty else { return SQL() }
        return " ORDER BY \(SQL.join(try orderBy.map { try $0.build() }, separator: ", "))"
    }

    func select(where filter: Filter<M>?, orderBy: [Order<M>], limit: ListLimit, offset: Int,
                includeDeleted: Bool = false, extraColumns: SQL? = nil) throws -> SQL {
        guard offset >= 0 else { throw RepositoryError(.invalidArgument, "an offset cannot be negative (\(offset))") }
        var sql: SQL = "SELECT \(M.rowColumns)"
        if let extraColumns { sql.append(", "); sql.append(extraColumns) }
        sql.append(" FROM \(M.tableSQL) WHERE \(try condition(filter, includeDeleted: includeDeleted))")
        sql.append(try orderClause(orderBy))
        sql.append(try limit.build())
        if offset > 0 { sql.append(" OFFSET \(Int64(offset))") }
        return sql
    }

    // MARK: - Reads

    /// The row with this primary key, or nil. A row the session already loaded is returned
    /// without a query unless `refresh` is true.
    ///
    /// - Throws: ``PostgresEncodingError`` for an id that cannot be encoded, the errors of
    ///   ``Session/query(_:timeout:)`` and ``PostgresDecodingError``.
    public func get(id: M.ID, refresh: Bool = false) async throws -> M? {
        let key = try M.keyFields(forID: id)
        if !refresh, let cached = session.cached(M.self, key: key) { return cached }
        var sql: SQL = "SELECT \(M.rowColumns) FROM \(M.tableSQL) WHERE \(FlushPlan.keyCondition(key))"
        if let column = Self.softDeleteColumn { sql.append(" AND \(ident: column) IS NULL") }
        guard let row = try await session.query(sql).first else { return nil }
        let model = try row.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(model)
        return model
    }

    /// The row matching `filter`.
    ///
    /// - Throws: ``NotFoundError`` when none matches, ``MultipleRowsError`` when several do.
    public func getOne(where filter: Filter<M>, includeDeleted: Bool = false) async throws -> M {
        guard let model = try await getOneOrNone(where: filter, includeDeleted: includeDeleted) else {
            throw NotFoundError(entity: M.entityName, criteria: try condition(filter, includeDeleted: includeDeleted).text)
        }
        return model
    }

    /// The row matching `filter`, or nil.
    ///
    /// - Throws: ``MultipleRowsError`` when more than one row matches.
    public func getOneOrNone(where filter: Filter<M>, includeDeleted: Bool = false) async throws -> M? {
        let sql = try select(where: filter, orderBy: [], limit: 2, offset: 0, includeDeleted: includeDeleted)
        let result = try await session.query(sql)
        guard result.count <= 1 else {
            throw MultipleRowsError(entity: M.entityName, criteria: try condition(filter, includeDeleted: includeDeleted).text,
                                    count: result.count)
        }
        guard let row = result.first else { return nil }
        let model = try row.decode(M.self, keyMapping: M.keyMapping)
        try session.remember(model)
        return model
    }

    /// The rows matching `filter`, sorted, one page of them. Without a limit, at most
    /// ``ListLimit/default`` (100) rows: pass `limit: .unbounded` to lift the guard.
    ///
    /// - Throws: ``RepositoryError`` for an unknown column or a negative limit or offset, before
    ///   anything is sent; the errors of ``Session/query(_:timeout:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default,
                     offset: Int = 0, includeDeleted: Bool = false) async throws -> [M] {
        let sql = try select(where: filter, orderBy: orderBy, limit: limit, offset: offset, includeDeleted: includeDeleted)
        return try await session.query(sql).decode(M.self, keyMapping: M.keyMapping)
    }

    /// One page and the total number of matching rows, in one round trip (`count(*) OVER ()`).
    public func listAndCount(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limit: ListLimit = .default,
                             offset: Int = 0, includeDeleted: Bool = false) async throws -> (items: [M], total: Int) {
        let sql = try select(where: filter, orderBy: orderBy, limit: limit, offset: offset, includeDeleted: includeDeleted,
                             extraColumns: "count(*) OVER () AS tusk_total_count")
        let result = try await session.query(sql)
        let items = try result.decode(M.self, keyMapping: M.keyMapping)
        if let first = result.first {
            return (items, try first.decode(Int.self, column: "tusk_total_count"))
        }
        // An empty page (an offset past the end) carries no count: ask for it.
        return (items, offset == 0 ? 0 : try await count(where: filter, includeDeleted: includeDeleted))
    }

    /// The next page after `cursor` in keyset order: rows that sort after the cursor's values of
    /// the `orderBy` columns. Unlike an offset, it stays fast and exact while rows are inserted.
    /// The order columns should be unique together (end with the primary key) and not NULL.
    ///
    /// ```swift
    /// var page = try await posts.list(orderBy: [.asc(\.createdAt), .asc(\.id)], limit: 50)
    /// while let last = page.last {
    ///     page = try await posts.list(orderBy: [.asc(\.createdAt), .asc(\.id)], after: last, limit: 50)
    /// }
    /// ```
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>], after cursor: M, limit: ListLimit = .default,
                     includeDeleted: Bool = false) async throws -> [M] {
        guard !orderBy.isEmpty else { throw RepositoryError(.invalidArgument, "keyset pagination needs an orderBy") }
        let row = try EncodedRow(encoding: cursor, keyMapping: M.keyMapping)
        let keyset = try keysetCondition(orderBy) { order, _ in
            guard let field = row.field(order.column) else {
                throw RepositoryError(.unknownColumn, "\(M.entityName) has no column \(order.column.debugDescription)")
            }
            return field
        }
        let combined = filter.map { $0 && keyset } ?? keyset
        return try await list(where: combined, orderBy: orderBy, limit: limit, includeDeleted: includeDeleted)
    }

    /// The number of rows matching `filter`.
    public func count(where filter: Filter<M>? = nil, includeDeleted: Bool = false) async throws -> Int {
        try await session.scalar("SELECT count(*) FROM \(M.tableSQL) WHERE \(try condition(filter, includeDeleted: includeDeleted))",
                                 as: Int.self)
    }

    /// Whether any row matches `filter`.
    public func exists(where filter: Filter<M>? = nil, includeDeleted: Bool = false) async throws -> Bool {
        try await session.scalar(
            "SELECT EXISTS (SELECT 1 FROM \(M.tableSQL) WHERE \(try condition(filter, includeDeleted: includeDeleted)))", as: Bool.self)
    }

    /// Every matching row, decoded one by one, with at most two batches of `batchSize` rows in
    /// memory (a server-side cursor in the session's transaction).
    public func stream(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], batchSize: Int = 1_000,
                       includeDeleted: Bool = false) throws -> RowStream<M> {
        let sql = try select(where: filter, orderBy: orderBy, limit: .unbounded, offset: 0, includeDeleted: includeDeleted)
        return session.stream(sql, as: M.self, batchSize: batchSize, keyMapping: M.keyMapping)
    }
}

extension Repository {
    /// The rows with these primary keys, in one query, in no particular order: `= ANY($1)` for a
    /// one-column key, the key columns matched as a row against one array per column for a
    /// composite key (a distributed table's `(tenant_id, id)`).
    public func getMany(ids: [M.ID]) async throws -> [M] {
        var sql: SQL = "SELECT \(M.rowColumns) FROM \(M.tableSQL) WHERE \(try Self.keyIn(ids))"
        if let softColumn = Self.softDeleteColumn { sql.append(" AND \(ident: softColumn) IS NULL") }
        let models = try await session.query(sql).decode(M.self, keyMapping: M.keyMapping)
        for model in models { try session.remember(model) }
        return models
    }

    /// The condition that a row's primary key is one of `ids`: `"id" = ANY($1)` for a one-column
    /// key, `("a", "b") IN (SELECT … FROM unnest($1, $2))` for a composite one. An id that cannot
    /// be encoded leaves the condition carrying the error, so nothing is sent.
    static func keyIn(_ ids: [M.ID]) throws -> SQL {
        if M.primaryKey.count == 1, let column = M.primaryKey.first, let array = ids as? any PostgresEncodable {
            return "\(ident: column) = ANY(\(array))"
        }
        let rows = try ids.map { try M.keyFields(forID: $0) }
        guard !rows.isEmpty else { return "FALSE" }
        let (arrays, aliases) = FlushPlan.unnestArrays(rows, plan: .disabled)
        let names = aliases.joined(separator: ", ")
        return "(\(idents: M.primaryKey)) IN (SELECT \(unsafeRaw: names) FROM unnest(\(arrays)) AS tusk_keys(\(unsafeRaw: names)))"
    }
}

@available(*, unavailable, message: "a Repository works in its session's task")
extension Repository: Sendable {}

extension Session {
    /// A repository of `M` working in this session's transaction.
    public func repository<M: Model>(_ type: M.Type) -> Repository<M> {
        Repository(session: self)
    }
}
