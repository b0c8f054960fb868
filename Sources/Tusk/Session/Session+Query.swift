extension Session {
    /// Runs a statement and returns the number of rows it affected.
    ///
    /// - Throws: ``PostgresError`` (the transaction then fails), ``SessionError`` when the
    ///   session ended or its transaction failed, and the errors of ``Connection/query(_:timeout:)``.
    @discardableResult
    public func execute(_ sql: SQL, timeout: Duration? = nil) async throws -> Int {
        try await run(sql, timeout: timeout).affectedRows ?? 0
    }

    /// Runs a query and returns its rows.
    public func query(_ sql: SQL, timeout: Duration? = nil) async throws -> QueryResult {
        try await run(sql, timeout: timeout)
    }

    /// Runs a query and decodes every row as `T`: window functions, recursive CTEs, `EXISTS`
    /// filters — any SQL, any `Decodable`.
    ///
    /// ```swift
    /// struct Ranked: Decodable { var name: String; var department: String; var rank: Int }
    /// let top = try await session.query("""
    ///     SELECT name, department, row_number() OVER (PARTITION BY department ORDER BY salary DESC) AS rank
    ///     FROM employees
    ///     """, as: Ranked.self)
    /// ```
    public func query<T: Decodable>(_ sql: SQL, as type: T.Type, keyMapping: KeyMapping = .snakeCase,
                                    timeout: Duration? = nil) async throws -> [T] {
        try await run(sql, timeout: timeout).decode(T.self, keyMapping: keyMapping)
    }

    /// Runs a query and decodes its first row as `T`.
    ///
    /// - Throws: ``NotFoundError`` when there is no row.
    public func queryOne<T: Decodable>(_ sql: SQL, as type: T.Type, keyMapping: KeyMapping = .snakeCase,
                                       timeout: Duration? = nil) async throws -> T {
        guard let row = try await run(sql, timeout: timeout).first else {
            throw NotFoundError(entity: "\(T.self)", criteria: sql.text)
        }
        return try row.decode(T.self, keyMapping: keyMapping)
    }

    /// Runs a query and decodes its first row as `T`, or returns nil when there is none.
    public func queryFirst<T: Decodable>(_ sql: SQL, as type: T.Type, keyMapping: KeyMapping = .snakeCase,
                                         timeout: Duration? = nil) async throws -> T? {
        try await run(sql, timeout: timeout).first?.decode(T.self, keyMapping: keyMapping)
    }

    /// Runs a query and returns the first column of its first row: `SELECT count(*) …`.
    ///
    /// - Throws: ``NotFoundError`` when there is no row.
    public func scalar<T: PostgresDecodable>(_ sql: SQL, as type: T.Type, timeout: Duration? = nil) async throws -> T {
        guard let row = try await run(sql, timeout: timeout).first else {
            throw NotFoundError(entity: "row", criteria: sql.text)
        }
        return try row.decode(T.self, at: 0)
    }

    /// Streams the rows of a query, decoded as `T`, holding at most two batches in memory.
    ///
    /// The stream reads through a server-side cursor (`DECLARE … NO SCROLL CURSOR` together with
    /// the first `FETCH FORWARD batchSize`, then one `FETCH` per batch) inside the session's
    /// transaction, so memory stays flat whatever the row count. Each batch is decoded off the
    /// connection's thread while the server produces the next one. Statements the loop runs on
    /// the session go between fetches. Iterate it before the session ends.
    ///
    /// ```swift
    /// for try await user in session.stream("SELECT * FROM users ORDER BY id", as: User.self) {
    ///     try await export(user)
    /// }
    /// ```
    public func stream<T: Decodable>(_ sql: SQL, as type: T.Type, batchSize: Int = 1_000,
                                     keyMapping: KeyMapping = .snakeCase) -> RowStream<T> {
        RowStream(session: self, query: sql, batchSize: max(1, batchSize), keyMapping: keyMapping)
    }
}
