/// The named prepared statements of one connection, keyed by SQL text and parameter types,
/// bounded, least recently used out first.
///
/// Pure bookkeeping: the connection sends the Parse and DEALLOCATE messages it decides on.
struct PreparedStatementCache {
    struct Key: Hashable {
        var text: String
        var types: [PostgresDataType]
    }

    private struct Entry {
        var name: String
        var lastUse: UInt64
        let plans: DecodingPlanCache
    }

    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var nextNumber = 1

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var isEnabled: Bool { capacity > 0 }
    var count: Int { entries.count }

    /// The statement's name and decoding plans if it is prepared, marking it used.
    mutating func lookup(_ key: Key) -> (name: String, plans: DecodingPlanCache)? {
        clock &+= 1
        let now = clock
        guard let index = entries.index(forKey: key) else { return nil }
        entries.values[index].lastUse = now
        return (entries.values[index].name, entries.values[index].plans)
    }

    /// The statement's name if it is prepared, marking it used.
    mutating func name(for key: Key) -> String? {
        lookup(key)?.name
    }

    /// A fresh statement name, not yet recorded.
    mutating func makeName() -> String {
        defer { nextNumber += 1 }
        return "tusk_\(nextNumber)"
    }

    /// Records a statement the server accepted; returns the name of the statement evicted to make
    /// room, which the caller deallocates.
    mutating func record(_ key: Key, name: String) -> String? {
        var evicted: String?
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            evicted = oldest.value.name
            entries.removeValue(forKey: oldest.key)
        }
        clock &+= 1
        entries[key] = Entry(name: name, lastUse: clock, plans: DecodingPlanCache())
        return evicted
    }

    /// Forgets a statement (its plan went stale, or the server dropped it).
    mutating func remove(_ key: Key) {
        entries.removeValue(forKey: key)
    }

    /// Forgets everything (after `DISCARD ALL` or on a new connection).
    mutating func removeAll() {
        entries.removeAll()
    }
}
