import Synchronization

/// A value encoded as columns: each property's column name, type and binary value.
///
/// ```swift
/// let row = try EncodedRow(encoding: user)
/// row.columns   // ["id", "email", "created_at"]
/// ```
///
/// Comparing two encodings of a model gives the columns that changed, which is how a session
/// updates only what changed.
public struct EncodedRow: Sendable, Equatable {
    /// One encoded column.
    public struct Field: Sendable, Equatable {
        /// The column name (after key mapping).
        public var column: String
        /// The coding key it came from.
        public var key: String
        /// The PostgreSQL type the value binds as.
        public var type: PostgresDataType
        /// The binary value, nil for NULL.
        public var bytes: [UInt8]?
    }

    /// The fields, in the order the type encodes its properties.
    public internal(set) var fields: [Field]
    /// The first encoding failure, thrown when the row is used.
    var encodingError: PostgresEncodingError?

    /// Encodes `value`'s properties.
    ///
    /// - Throws: ``PostgresEncodingError`` when a property cannot be encoded.
    public init<T: Encodable>(encoding value: T, keyMapping: KeyMapping = .snakeCase) throws {
        var cacheKey: KeyColumnCache.Key?
        if let mapping = keyMapping.cacheKey {
            cacheKey = KeyColumnCache.Key(type: ObjectIdentifier(T.self), mapping: mapping)
        }
        var known: [(key: String, column: String)]?
        if let cacheKey { known = KeyColumnCache.columns(for: cacheKey) }
        let context = RowEncodingContext(sink: FieldListSink(keyMapping: keyMapping, known: known))
        try context.encode(value)
        fields = context.sink.fields
        encodingError = nil
        if known == nil, let cacheKey {
            KeyColumnCache.store(fields.map { ($0.key, $0.column) }, for: cacheKey)
        }
    }

    init(fields: [Field]) {
        self.fields = fields
        encodingError = nil
    }

    /// The column names, in order.
    public var columns: [String] { fields.map(\.column) }

    /// The field for `column`, if any.
    public func field(_ column: String) -> Field? {
        fields.first { $0.column == column }
    }

    /// The fields whose value differs from `other`'s (or that `other` lacks).
    public func changedFields(since other: EncodedRow) -> [Field] {
        var previous: [String: Field] = [:]
        for field in other.fields { previous[field.column] = field }
        return fields.filter { previous[$0.column] != $0 }
    }
}

extension EncodedRow.Field: PostgresEncodable {
    /// Unused: a field binds with its own ``type`` through ``SQL``'s field interpolation.
    public static var postgresType: PostgresDataType { .unspecified }

    /// Appends the stored bytes.
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        if let bytes { buffer.append(contentsOf: bytes) }
    }

    /// A field without bytes is NULL.
    public var isPostgresNull: Bool { bytes == nil }
}

/// Collects every property as an ``EncodedRow/Field``.
struct FieldListSink: RowEncodingSink {
    let keyMapping: KeyMapping
    var fields: [EncodedRow.Field] = []
    private var scratch = PostgresEncodingBuffer()
    /// The type's keys and columns in encoding order, from an earlier encoding of the type: a
    /// key then costs one string comparison instead of a mapping lookup.
    private let known: [(key: String, column: String)]?

    init(keyMapping: KeyMapping, known: [(key: String, column: String)]? = nil) {
        self.keyMapping = keyMapping
        self.known = known
        fields.reserveCapacity(known?.count ?? 8)
    }

    @inline(__always)
    private func column(for key: String) -> String {
        let position = fields.count
        if let known, position < known.count, known[position].key == key { return known[position].column }
        return keyMapping.column(for: key)
    }

    mutating func append<Value: PostgresEncodable>(_ value: Value, key: String) throws {
        scratch.removeAll()
        do {
            if !value.isPostgresNull { try value.encode(into: &scratch) }
        } catch var error as PostgresEncodingError {
            if error.column == nil { error.column = keyMapping.column(for: key) }
            throw error
        }
        fields.append(EncodedRow.Field(column: column(for: key), key: key, type: Value.postgresType,
                                       bytes: value.isPostgresNull ? nil : scratch.bytes))
    }

    mutating func appendNull(type: PostgresDataType, key: String) throws {
        fields.append(EncodedRow.Field(column: column(for: key), key: key, type: type, bytes: nil))
    }
}

/// The coding keys and columns each type encodes, in order, learned from its first encoding.
enum KeyColumnCache {
    struct Key: Hashable {
        let type: ObjectIdentifier
        let mapping: KeyMapping.CacheKey
    }

    private static let cache = Mutex<[Key: [(key: String, column: String)]]>([:])

    static func columns(for key: Key) -> [(key: String, column: String)]? {
        cache.withLock { $0[key] }
    }

    static func store(_ columns: [(key: String, column: String)], for key: Key) {
        cache.withLock { cache in
            if cache.count < 4_096 { cache[key] = columns }
        }
    }
}
