#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes rows into `Decodable` values: each coding key names a column (through a
/// ``KeyMapping``), each property decodes from its cell in binary format.
///
/// One context serves every row of a result. It remembers which column each key resolved to, in
/// the order the type asks for them, so after the first row a key costs one string comparison.
final class RowDecodingContext<Storage: PostgresRowStorage> {
    let storage: Storage
    let keyMapping: KeyMapping
    var row = 0

    private var orderedKeys: [String] = []
    /// The column of each key in `orderedKeys`; nil for a key the result has no column for.
    private var orderedColumns: [Int?] = []
    private var cursor = 0
    private var resolved: [String: Int?] = [:]
    private var columnsByName: [String: Int]?

    private let planCache: DecodingPlanCache?
    private let planKey: DecodingPlanCache.Key?
    private var planIsComplete = false

    /// A context that reuses (and on first use records) the plan cached for `type`, when the
    /// result comes from a prepared statement.
    init<T>(storage: Storage, keyMapping: KeyMapping, decoding type: T.Type = Any.self, plans: DecodingPlanCache? = nil) {
        self.storage = storage
        self.keyMapping = keyMapping
        if let plans, let mapping = keyMapping.cacheKey {
            let key = DecodingPlanCache.Key(type: ObjectIdentifier(T.self), mapping: mapping)
            planCache = plans
            planKey = key
            if let plan = plans.plan(for: key) {
                orderedKeys = plan.keys
                orderedColumns = plan.columns
                planIsComplete = true
            }
        } else {
            planCache = nil
            planKey = nil
        }
    }

    /// Records the key order learned from the first row, for the next result of the statement.
    func finishFirstRow() {
        guard !planIsComplete, let planCache, let planKey else { return }
        planIsComplete = true
        planCache.store(.init(keys: orderedKeys, columns: orderedColumns), for: planKey)
    }

    @inline(__always)
    func start(row: Int) {
        self.row = row
        cursor = 0
    }

    /// The column for `key`, or nil when the result has none.
    @inline(__always)
    func column(for key: String) -> Int? {
        if cursor < orderedKeys.count, orderedKeys[cursor] == key {
            defer { cursor += 1 }
            return orderedColumns[cursor]
        }
        return resolveSlowly(key)
    }

    private func resolveSlowly(_ key: String) -> Int? {
        let column: Int?
        if let known = resolved[key] {
            column = known
        } else {
            let names = columnsByName ?? buildColumnsByName()
            column = names[keyMapping.column(for: key)] ?? names[key]
            resolved[key] = .some(column)
        }
        if cursor == orderedKeys.count {
            orderedKeys.append(key)
            orderedColumns.append(column)
            cursor += 1
        }
        return column
    }

    private func buildColumnsByName() -> [String: Int] {
        var names: [String: Int] = [:]
        for column in 0..<storage.columnCount {
            let name = storage.columnName(column)
            // The first column of a name wins, as in SQL.
            if names[name] == nil { names[name] = column }
        }
        columnsByName = names
        return names
    }

    /// Decodes the current row as `T`.
    @inline(__always)
    func decodeRow<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: RowDecoder(context: self))
    }

    /// Decodes a `Decodable` from one cell: a PostgreSQL type directly, a JSON column through
    /// `JSONDecoder`, anything else through its single-value `init(from:)` (String-backed enums).
    @inline(__always)
    func decodeValue<T: Decodable>(_ type: T.Type, column: Int, key: (any CodingKey)?) throws -> T {
        // Common types by metatype identity: no conformance lookup, no existential.
        if T.self == UUID.self { return unsafeBitCast(try storage.decodeCell(UUID.self, row: row, column: column), to: T.self) }
        if T.self == Date.self { return unsafeBitCast(try storage.decodeCell(Date.self, row: row, column: column), to: T.self) }
        if T.self == UUID?.self { return unsafeBitCast(try storage.decodeCell(UUID?.self, row: row, column: column), to: T.self) }
        if T.self == Date?.self { return unsafeBitCast(try storage.decodeCell(Date?.self, row: row, column: column), to: T.self) }
        if T.self == Decimal.self { return unsafeBitCast(try storage.decodeCell(Decimal.self, row: row, column: column), to: T.self) }
        if let decodable = T.self as? any PostgresDecodable.Type {
            return try decodePostgres(decodable, as: T.self, column: column)
        }
        let columnType = storage.columnType(column)
        if columnType == .json || columnType == .jsonb {
            guard let bytes = storage.cellBytes(row: row, column: column) else {
                throw PostgresDecodingError(.unexpectedNull, swiftType: T.self, postgresType: columnType,
                                            column: storage.columnName(column), columnIndex: column,
                                            message: "NULL cannot be decoded as non-optional \(T.self)")
            }
            do {
                return try PostgresJSONCoding.decode(T.self, from: PostgresCell(bytes: bytes, type: columnType))
            } catch let error as PostgresDecodingError {
                throw error.at(column: storage.columnName(column), index: column)
            }
        }
        return try T(from: CellDecoder(context: self, column: column, codingPath: key.map { [$0] } ?? []))
    }

    private func decodePostgres<P: PostgresDecodable, T>(_ type: P.Type, as: T.Type, column: Int) throws -> T {
        let value = try storage.decodeCell(P.self, row: row, column: column)
        guard let typed = value as? T else {
            throw PostgresDecodingError(.typeMismatch, swiftType: T.self, postgresType: storage.columnType(column),
                                        column: storage.columnName(column), columnIndex: column,
                                        message: "decoded \(P.self) is not \(T.self)")
        }
        return typed
    }

    func missingColumn(_ key: String, _ type: Any.Type) -> PostgresDecodingError {
        let column = keyMapping.column(for: key)
        return PostgresDecodingError(.missingColumn, swiftType: type, postgresType: nil, column: column,
                                     message: "the result has no column \"\(column)\" for key \"\(key)\"")
    }
}

/// The `Decoder` for one row.
struct RowDecoder<Storage: PostgresRowStorage>: Decoder {
    let context: RowDecodingContext<Storage>
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowKeyedContainer<Key, Storage>(context: context))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RowUnkeyedContainer(context: context)
    }

    /// A single value decodes from the row's only column (`SELECT count(*)` as `Int`).
    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard context.storage.columnCount == 1 else {
            throw PostgresDecodingError(.typeMismatch, swiftType: Any.self, postgresType: nil,
                                        message: "a single value needs a row of one column, not \(context.storage.columnCount)")
        }
        return CellDecoder(context: context, column: 0, codingPath: [])
    }
}

struct RowKeyedContainer<Key: CodingKey, Storage: PostgresRowStorage>: KeyedDecodingContainerProtocol {
    let context: RowDecodingContext<Storage>
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        (0..<context.storage.columnCount).compactMap { Key(stringValue: context.storage.columnName($0)) }
    }

    func contains(_ key: Key) -> Bool {
        context.column(for: key.stringValue) != nil
    }

    @inline(__always)
    private func column<T>(_ key: Key, _ type: T.Type) throws -> Int {
        guard let column = context.column(for: key.stringValue) else {
            throw context.missingColumn(key.stringValue, type)
        }
        return column
    }

    @inline(__always)
    private func cell<T: PostgresDecodable>(_ type: T.Type, _ key: Key) throws -> T {
        try context.storage.decodeCell(T.self, row: context.row, column: column(key, type))
    }

    @inline(__always)
    private func cellIfPresent<T: PostgresDecodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let column = context.column(for: key.stringValue) else { return nil }
        return try context.storage.decodeCell(T?.self, row: context.row, column: column)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        context.storage.cellBytes(row: context.row, column: try column(key, Any.self)) == nil
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try cell(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try cell(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try cell(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try cell(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try cell(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try cell(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try cell(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try cell(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try narrow(cell(Int16.self, key), key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try narrow(cell(Int64.self, key), key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try narrow(cell(Int16.self, key), key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try narrow(cell(Int32.self, key), key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try narrow(cell(Int64.self, key), key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try narrow(cell(Int64.self, key), key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        // Not a column: a row leaves a relation not loaded.
        if let nonColumn = T.self as? any NonColumnValue.Type, let value = nonColumn.notLoaded as? T { return value }
        let column = try column(key, type)
        return try context.decodeValue(T.self, column: column, key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try cellIfPresent(type, key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let column = context.column(for: key.stringValue) else { return nil }
        if context.storage.cellBytes(row: context.row, column: column) == nil { return nil }
        return try context.decodeValue(T.self, column: column, key: key)
    }

    func decodeIfPresent(_ type: UUID.Type, forKey key: Key) throws -> UUID? { try cellIfPresent(type, key) }
    func decodeIfPresent(_ type: Date.Type, forKey key: Key) throws -> Date? { try cellIfPresent(type, key) }

    private func narrow<Wide: FixedWidthInteger, Narrow: FixedWidthInteger>(_ value: Wide, _ key: Key) throws -> Narrow {
        guard let narrow = Narrow(exactly: value) else {
            throw PostgresDecodingError(.outOfRange, swiftType: Narrow.self, postgresType: nil,
                                        column: context.keyMapping.column(for: key.stringValue),
                                        message: "\(value) does not fit in \(Narrow.self)")
        }
        return narrow
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw PostgresDecodingError(.typeMismatch, swiftType: NestedKey.self, postgresType: nil,
                                    column: context.keyMapping.column(for: key.stringValue),
                                    message: "a nested keyed container needs a json or jsonb column")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw PostgresDecodingError(.typeMismatch, swiftType: Any.self, postgresType: nil,
                                    column: context.keyMapping.column(for: key.stringValue),
                                    message: "a nested unkeyed container needs an array, json or jsonb column")
    }

    func superDecoder() throws -> any Decoder { RowDecoder(context: context) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoder(context: context) }
}

/// Decodes a row's columns in order: `(Int, String)`-like shapes and arrays of one type.
struct RowUnkeyedContainer<Storage: PostgresRowStorage>: UnkeyedDecodingContainer {
    let context: RowDecodingContext<Storage>
    var codingPath: [any CodingKey] { [] }
    var count: Int? { context.storage.columnCount }
    var isAtEnd: Bool { currentIndex >= context.storage.columnCount }
    private(set) var currentIndex = 0

    init(context: RowDecodingContext<Storage>) {
        self.context = context
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw endError(Any.self) }
        if context.storage.cellBytes(row: context.row, column: currentIndex) == nil {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else { throw endError(type) }
        defer { currentIndex += 1 }
        return try context.decodeValue(T.self, column: currentIndex, key: nil)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw endError(type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw endError(Any.self) }
    mutating func superDecoder() throws -> any Decoder { RowDecoder(context: context) }

    private func endError(_ type: Any.Type) -> PostgresDecodingError {
        PostgresDecodingError(.missingColumn, swiftType: type, postgresType: nil, columnIndex: currentIndex,
                              message: "the row has only \(context.storage.columnCount) columns")
    }
}

/// Decodes one cell through a type's own `init(from:)`: enums and wrappers around one value.
struct CellDecoder<Storage: PostgresRowStorage>: Decoder, SingleValueDecodingContainer {
    let context: RowDecodingContext<Storage>
    let column: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw PostgresDecodingError(.typeMismatch, swiftType: Key.self, postgresType: context.storage.columnType(column),
                                    column: context.storage.columnName(column), columnIndex: column,
                                    message: "a keyed container needs a json or jsonb column")
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw PostgresDecodingError(.typeMismatch, swiftType: Any.self, postgresType: context.storage.columnType(column),
                                    column: context.storage.columnName(column), columnIndex: column,
                                    message: "an unkeyed container needs an array, json or jsonb column")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { context.storage.cellBytes(row: context.row, column: column) == nil }

    func decode(_ type: Bool.Type) throws -> Bool { try cell(type) }
    func decode(_ type: String.Type) throws -> String { try cell(type) }
    func decode(_ type: Double.Type) throws -> Double { try cell(type) }
    func decode(_ type: Float.Type) throws -> Float { try cell(type) }
    func decode(_ type: Int.Type) throws -> Int { try cell(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try cell(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try cell(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try cell(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(cell(Int16.self)) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(cell(Int64.self)) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(cell(Int16.self)) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(cell(Int32.self)) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(cell(Int64.self)) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(cell(Int64.self)) }

    private func narrow<Wide: FixedWidthInteger, Narrow: FixedWidthInteger>(_ value: Wide) throws -> Narrow {
        guard let narrow = Narrow(exactly: value) else {
            throw PostgresDecodingError(.outOfRange, swiftType: Narrow.self, postgresType: context.storage.columnType(column),
                                        column: context.storage.columnName(column), columnIndex: column,
                                        message: "\(value) does not fit in \(Narrow.self)")
        }
        return narrow
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try context.decodeValue(T.self, column: column, key: codingPath.last)
    }

    @inline(__always)
    private func cell<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        try context.storage.decodeCell(T.self, row: context.row, column: column)
    }
}
