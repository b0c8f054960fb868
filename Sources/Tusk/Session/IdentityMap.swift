/// The rows a session has loaded, by primary key: the decoded value and the encoding it had when
/// loaded (the snapshot dirty tracking diffs against).
struct IdentityMap {
    struct Key: Hashable {
        let type: ObjectIdentifier
        let key: [[UInt8]?]
    }

    struct Entry {
        let value: any Sendable
        let snapshot: EncodedRow
    }

    private var entries: [Key: Entry] = [:]

    var count: Int { entries.count }

    static func key<M: Model>(_ type: M.Type, fields: [EncodedRow.Field]) -> Key {
        Key(type: ObjectIdentifier(M.self), key: fields.map(\.bytes))
    }

    func entry(for key: Key) -> Entry? { entries[key] }

    mutating func store(_ entry: Entry, for key: Key) { entries[key] = entry }

    mutating func remove(_ key: Key) { entries[key] = nil }

    mutating func removeAll() { entries.removeAll() }

    /// Forgets every row of one model type (after a bulk write touched rows of it).
    mutating func removeAll<M: Model>(of type: M.Type) {
        let type = ObjectIdentifier(M.self)
        entries = entries.filter { $0.key.type != type }
    }
}

extension Model {
    /// The primary-key fields of an encoded row, in `primaryKey` order.
    static func keyFields(of row: EncodedRow) throws -> [EncodedRow.Field] {
        try primaryKey.map { column in
            guard let field = row.field(column) else {
                throw PostgresEncodingError(.unsupportedValue, "\(Self.self) has no property for primary-key column \"\(column)\"", column: column)
            }
            return field
        }
    }

    /// The primary-key fields for an identity value: one column, or a struct of key columns.
    static func keyFields(forID id: ID) throws -> [EncodedRow.Field] {
        if let single = id as? any PostgresEncodable {
            guard primaryKey.count == 1, let column = primaryKey.first else {
                throw PostgresEncodingError(.unsupportedValue, "\(Self.self) has a composite key; pass a struct of its key columns")
            }
            return [try encodeField(single, column: column)]
        }
        let row = try EncodedRow(encoding: id, keyMapping: keyMapping)
        return try keyFields(of: row)
    }

    private static func encodeField<V: PostgresEncodable>(_ value: V, column: String) throws -> EncodedRow.Field {
        var buffer = PostgresEncodingBuffer()
        if !value.isPostgresNull { try value.encode(into: &buffer) }
        return EncodedRow.Field(column: column, key: column, type: V.postgresType, bytes: value.isPostgresNull ? nil : buffer.bytes)
    }
}
