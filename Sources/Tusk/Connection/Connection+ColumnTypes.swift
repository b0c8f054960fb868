extension Connection {
    // MARK: - Public API

    /// The value the server reported for a run-time parameter (`TimeZone`, `server_version`,
    /// `standard_conforming_strings`, …), as of the last statement: libpq's `PQparameterStatus`,
    /// no round trip. Nil when the server reported none or the connection is closed.
    ///
    /// ```swift
    /// let zone = await connection.parameterStatus("TimeZone")   // "UTC" with Tusk's defaults
    /// ```
    public func parameterStatus(_ name: String) -> String? {
        handle?.parameterStatus(name)
    }

    // MARK: - Column types

    /// The session's `TimeZone`, which decides conversions between `timestamptz`, `timestamp` and
    /// `date`.
    var sessionTimeZone: SessionTimeZone {
        SessionTimeZone(parameterStatus: parameterStatus("TimeZone"))
    }

    /// The cached column types of each of `tables` that has them.
    func cachedColumnTypes(of tables: [String]) -> [String: [String: PostgresColumnType]] {
        var found: [String: [String: PostgresColumnType]] = [:]
        for table in tables {
            if let columns = columnTypeCache.columns(of: table) { found[table] = columns }
        }
        return found
    }

    /// Remembers tables' column types, read with ``columnTypesQuery(tables:)``.
    func storeColumnTypes(_ tables: [String: [String: PostgresColumnType]]) {
        for (table, columns) in tables { columnTypeCache.store(columns, for: table) }
    }

    /// Forgets a table's column types, so the next bulk write reads them again.
    func forgetColumnTypes(of table: String) {
        columnTypeCache.remove(table)
    }

    /// The number of tables whose column types are cached, for tests.
    var cachedColumnTypeTables: Int { columnTypeCache.count }

    /// The catalog query for the columns of `tables` (as SQL names them: `"app"."users"`), with
    /// domains resolved to their base types and array element types. A table that does not exist
    /// has no rows (`to_regclass`), so the statement that needs it fails with the server's own
    /// error, not this query.
    static func columnTypesQuery(tables: [String]) -> SQL {
        // Two recursive walks: domains of the columns, then domains of array elements.
        """
        WITH RECURSIVE
        tables AS (SELECT t.name, to_regclass(t.name) AS rel FROM unnest(\(tables)::text[]) AS t(name)),
        cols AS (
          SELECT tb.name AS table_name, a.attnum, a.attname::text AS column_name, a.atttypid AS declared,
                 format_type(a.atttypid, a.atttypmod) AS declared_sql
          FROM tables tb JOIN pg_attribute a ON a.attrelid = tb.rel
          WHERE a.attnum > 0 AND NOT a.attisdropped),
        chain (start, oid) AS (
          SELECT DISTINCT declared, declared FROM cols
          UNION
          SELECT c.start, t.typbasetype FROM chain c JOIN pg_type t ON t.oid = c.oid WHERE t.typtype = 'd'),
        base AS (
          SELECT c.start, t.oid, t.typtype, t.typreceive, CASE WHEN t.typlen = -1 AND t.typelem <> 0 THEN t.typelem END AS elem
          FROM chain c JOIN pg_type t ON t.oid = c.oid WHERE t.typtype <> 'd'),
        echain (start, oid) AS (
          SELECT DISTINCT elem, elem FROM base WHERE elem IS NOT NULL
          UNION
          SELECT c.start, t.typbasetype FROM echain c JOIN pg_type t ON t.oid = c.oid WHERE t.typtype = 'd'),
        ebase AS (
          SELECT c.start, t.oid, t.typtype, t.typreceive FROM echain c JOIN pg_type t ON t.oid = c.oid WHERE t.typtype <> 'd')
        SELECT c.table_name, c.column_name, c.declared::int8, c.declared_sql,
               b.oid::int8, format_type(b.oid, NULL), b.typtype::text, (SELECT p.proname::text FROM pg_proc p WHERE p.oid = b.typreceive),
               b.elem::int8, e.oid::int8, format_type(e.oid, NULL), e.typtype::text,
               (SELECT p.proname::text FROM pg_proc p WHERE p.oid = e.typreceive)
        FROM cols c JOIN base b ON b.start = c.declared LEFT JOIN ebase e ON e.start = b.elem
        """
    }

    /// The tables' columns from the rows of ``columnTypesQuery(tables:)``.
    static func decodeColumnTypes(_ result: QueryResult) throws -> [String: [String: PostgresColumnType]] {
        func oid(_ value: Int64) -> PostgresDataType { PostgresDataType(rawValue: UInt32(truncatingIfNeeded: value)) }
        func base(oid value: Int64, sql: String, typtype: String, receive: String?) -> PostgresColumnType.BaseType {
            PostgresColumnType.BaseType(oid: oid(value), sqlName: sql, isEnum: typtype == "e",
                                        hasTextReceive: receive.map(textReceiveFunctions.contains) ?? false)
        }
        var tables: [String: [String: PostgresColumnType]] = [:]
        for row in result {
            let (table, column, declared, declaredSQL) = try row.decodeColumns((String, String, Int64, String).self)
            let baseType = base(oid: try row.decode(Int64.self, at: 4), sql: try row.decode(String.self, at: 5),
                                typtype: try row.decode(String.self, at: 6), receive: try row.decode(String?.self, at: 7))
            var element: PostgresColumnType.BaseType?
            if let elementOID = try row.decode(Int64?.self, at: 9) {
                element = base(oid: elementOID, sql: try row.decode(String.self, at: 10),
                               typtype: try row.decode(String.self, at: 11), receive: try row.decode(String?.self, at: 12))
            }
            tables[table, default: [:]][column] = PostgresColumnType(
                column: column, declared: oid(declared), declaredSQL: declaredSQL, base: baseType, element: element,
                elementDeclared: try row.decode(Int64?.self, at: 8).map(oid))
        }
        return tables
    }

    /// Receive functions that read text's binary form (`citext` declares `textrecv` as its own).
    private static let textReceiveFunctions: Set<String> = ["textrecv", "citextrecv", "varcharrecv", "bpcharrecv"]
}
