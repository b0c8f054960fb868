/// The column types of tables a connection wrote to in bulk, keyed by the table as the SQL names
/// it (`"app"."users"`, or `"users"` resolved through the search path).
///
/// Pure bookkeeping, bounded. Cleared whenever the connection's prepared statements are (a new or
/// closed connection), and per table when a bulk write fails in a way that says the table changed.
struct ColumnTypeCache {
    /// Tables remembered before the cache starts over: enough for any schema a service writes in
    /// bulk, small enough not to matter.
    static let capacity = 512

    private var tables: [String: [String: PostgresColumnType]] = [:]

    /// The number of tables remembered.
    var count: Int { tables.count }

    /// The columns of `table` (by name), if remembered.
    func columns(of table: String) -> [String: PostgresColumnType]? {
        tables[table]
    }

    /// Remembers the columns of `table`.
    mutating func store(_ columns: [String: PostgresColumnType], for table: String) {
        // Starting over is simpler than LRU and costs one catalog query per table afterwards.
        if tables.count >= Self.capacity, tables[table] == nil { tables.removeAll() }
        tables[table] = columns
    }

    /// Forgets `table`.
    mutating func remove(_ table: String) {
        tables.removeValue(forKey: table)
    }

    /// Forgets everything.
    mutating func removeAll() {
        tables.removeAll()
    }
}
