/// Pages for JSON APIs: ``Page`` by limit and offset, ``KeysetPage`` by cursor, both `Codable`.
extension Repository {
    /// The rows matching `filter`, sorted, in the slice `limitOffset` names.
    ///
    /// ```swift
    /// let window = try LimitOffset(limit: query["limit"], offset: query["offset"])
    /// let posts = try await session.repository(Post.self).list(where: filter, orderBy: order, limitOffset: window)
    /// ```
    ///
    /// - Throws: ``RepositoryError`` for an unknown column, before anything is sent; the errors of
    ///   ``Session/query(_:timeout:)``.
    public func list(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limitOffset: LimitOffset,
                     includeDeleted: Bool = false) async throws -> [M] {
        try await list(where: filter, orderBy: orderBy, limit: .rows(limitOffset.limit), offset: limitOffset.offset,
                       includeDeleted: includeDeleted)
    }

    /// One page and the number of matching rows, in one round trip (`count(*) OVER ()`; a second
    /// one only for a page past the end, which carries no count).
    ///
    /// ```swift
    /// let page = try await posts.page(where: \.views > 10, orderBy: [.desc(\.views), .asc(\.id)],
    ///                                 limitOffset: LimitOffset(limit: 20, offset: 40))
    /// // page.items, page.total, page.limit == 20, page.offset == 40
    /// ```
    ///
    /// - Throws: as ``list(where:orderBy:limitOffset:includeDeleted:)``.
    public func page(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], limitOffset: LimitOffset,
                     includeDeleted: Bool = false) async throws -> Page<M> {
        let (items, total) = try await listAndCount(where: filter, orderBy: orderBy, limit: .rows(limitOffset.limit),
                                                    offset: limitOffset.offset, includeDeleted: includeDeleted)
        return Page(items: items, total: total, limit: limitOffset.limit, offset: limitOffset.offset)
    }

    /// One keyset page: at most `limit` rows after `cursor` (from the start when it is nil) in
    /// `orderBy` order, and the cursor to the next page, in one round trip (Tusk reads one row
    /// more than `limit` to learn whether another page follows).
    ///
    /// ```swift
    /// let order: [Order<Post>] = [.desc(\.publishedAt), .asc(\.id)]
    /// var page = try await posts.page(orderBy: order, after: nil, limit: 20)
    /// while let next = page.next {
    ///     page = try await posts.page(orderBy: order, after: next, limit: 20)
    /// }
    /// ```
    ///
    /// The sort keys should be unique together (end with the primary key) and their columns NOT
    /// NULL, of the common scalar types (integers, text, uuid, bool, floats, dates).
    ///
    /// - Throws: ``RepositoryError`` with `invalidArgument` for no sort keys or a limit below 1,
    ///   `unsupported` for a row whose sort key is NULL or of another type;
    ///   ``RequestParameterError`` for a cursor made for other sort keys; the errors of
    ///   ``Session/query(_:timeout:)``.
    public func page(where filter: Filter<M>? = nil, orderBy: [Order<M>], after cursor: PageCursor?, limit: Int = LimitOffset.defaultLimit,
                     includeDeleted: Bool = false) async throws -> KeysetPage<M> {
        guard !orderBy.isEmpty else { throw RepositoryError(.invalidArgument, "keyset pagination needs an orderBy") }
        // A page of no rows could not say where the next one starts.
        guard limit >= 1 else { throw RepositoryError(.invalidArgument, "a keyset page needs a limit of at least 1 (\(limit))") }
        var condition = filter
        if let cursor {
            let keyset = try keysetCondition(orderBy) { order, index in try cursor.field(for: order, at: index, of: orderBy.count) }
            condition = filter.map { $0 && keyset } ?? keyset
        }
        var items = try await list(where: condition, orderBy: orderBy, limit: .rows(limit + 1), includeDeleted: includeDeleted)
        guard items.count > limit else { return KeysetPage(items: items, next: nil) }
        items.removeLast(items.count - limit)
        guard let last = items.last else { return KeysetPage(items: items, next: nil) }
        return KeysetPage(items: items, next: try nextCursor(after: last, orderBy: orderBy))
    }

    // MARK: - Internal

    /// `(a > x) OR (a = x AND b > y) OR …`, with `<` for descending keys: the rows that sort after
    /// the position whose sort-key values `value` gives (by key and its index).
    func keysetCondition(_ orderBy: [Order<M>], value: (Order<M>, Int) throws -> EncodedRow.Field) throws -> Filter<M> {
        let values = try orderBy.enumerated().map { index, order in try value(order, index) }
        var alternatives: [SQL] = []
        for (index, order) in orderBy.enumerated() {
            var terms: [SQL] = orderBy[..<index].enumerated().map { earlier, key in "\(ident: key.column) = \(values[earlier])" }
            terms.append("\(ident: order.column) \(unsafeRaw: order.descending ? "<" : ">") \(values[index])")
            alternatives.append("(\(SQL.join(terms, separator: " AND ")))")
        }
        return .sql("(\(SQL.join(alternatives, separator: " OR ")))")
    }

    // MARK: - Private

    private func nextCursor(after last: M, orderBy: [Order<M>]) throws -> PageCursor {
        let row = try EncodedRow(encoding: last, keyMapping: M.keyMapping)
        let fields = try orderBy.map { order in
            guard let field = row.field(order.column) else {
                throw RepositoryError(.unknownColumn, "\(M.entityName) has no column \(order.column.debugDescription)")
            }
            guard PageCursor.canCarry(field) else {
                throw RepositoryError(.unsupported, "keyset pages need a non-NULL sort key of a scalar type; \(M.entityName)."
                    + "\(order.column) is \(field.bytes == nil ? "NULL" : "of type \(field.type)") in a row")
            }
            return field
        }
        return PageCursor(fields: fields)
    }
}
