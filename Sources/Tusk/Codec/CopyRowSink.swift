/// Encodes models straight into a binary COPY buffer: no intermediate row, no per-field
/// allocation. The first row fixes the column list (its coding keys, minus the columns to leave
/// to the server); every later row must encode the same keys in the same order, which costs one
/// string comparison per field.
struct CopyRowSink: RowEncodingSink {
    var encoder: PostgresBinaryCopyEncoder
    let keyMapping: KeyMapping
    /// Columns omitted when NULL in the first row (server-generated ids, defaults).
    let omittable: Set<String>
    /// The table's column types: binary COPY has no casts, so each value is converted to its
    /// column's own binary format here (decided once per column).
    var plan: TableEncodingPlan

    private(set) var keys: [String] = []
    private(set) var included: [Bool] = []
    private(set) var columns: [String] = []
    private var position = 0
    private var learning = true
    private var rowStart = 0

    init(encoder: PostgresBinaryCopyEncoder, keyMapping: KeyMapping, omittable: Set<String>, plan: TableEncodingPlan = .disabled) {
        self.encoder = encoder
        self.keyMapping = keyMapping
        self.omittable = omittable
        self.plan = plan
    }

    mutating func beginRow() {
        rowStart = encoder.count
        position = 0
        // The field count is patched in endRow once the first row has taught it.
        encoder.encodingBuffer.append(bigEndian: Int16(0))
    }

    mutating func endRow() throws {
        if learning {
            learning = false
        } else if position != keys.count {
            throw PostgresEncodingError(.unsupportedValue, "a model encoded \(position) properties where the first encoded \(keys.count)")
        }
        let count = Int16(truncatingIfNeeded: columns.count)
        encoder.encodingBuffer.bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(bitPattern: count).bigEndian, toByteOffset: rowStart, as: UInt16.self)
        }
    }

    @inline(__always)
    private mutating func admit(_ key: String, isNull: Bool) throws -> Bool {
        if learning {
            let column = keyMapping.column(for: key)
            let include = !(isNull && omittable.contains(column))
            keys.append(key)
            included.append(include)
            if include { columns.append(column) }
            position += 1
            return include
        }
        guard position < keys.count, keys[position] == key else {
            throw PostgresEncodingError(.unsupportedValue, "a model encoded property \(key.debugDescription) out of the first row's order")
        }
        let include = included[position]
        position += 1
        if !include, !isNull {
            throw PostgresEncodingError(.unsupportedValue,
                                        "column \(keyMapping.column(for: key)) was left to the server for the first row but set for a later one",
                                        column: keyMapping.column(for: key))
        }
        return include
    }

    mutating func append<Value: PostgresEncodable>(_ value: Value, key: String) throws {
        let isNull = value.isPostgresNull
        guard try admit(key, isNull: isNull) else { return }
        do {
            if plan.isEnabled, !isNull {
                // The common case (types already match) costs one comparison here.
                var conversion = plan.decided(at: position - 1, value: Value.postgresType)
                if conversion == nil {
                    let column = keyMapping.column(for: key)
                    conversion = try plan.decide(at: position - 1, value: Value.postgresType, swiftType: Value.self, column: column).conversion
                }
                if let conversion, !conversion.isIdentity {
                    try encoder.encodingBuffer.appendField(value, converting: conversion)
                    return
                }
            }
            try encoder.append(value)
        } catch var error as PostgresEncodingError {
            if error.column == nil { error.column = keyMapping.column(for: key) }
            if error.columnType == nil { error.columnType = plan.columns[keyMapping.column(for: key)]?.declaredSQL }
            throw error
        }
    }

    mutating func appendNull(type: PostgresDataType, key: String) throws {
        guard try admit(key, isNull: true) else { return }
        // NULL needs no conversion: a column that is always NULL never refuses its property's type.
        encoder.encodingBuffer.append(bigEndian: Int32(-1))
    }
}

/// Encodes models column by column, each column as a PostgreSQL array, for
/// `INSERT … SELECT … FROM unnest($1, $2, …)`: one parameter per column, whatever the row count.
struct ColumnarSink: RowEncodingSink {
    struct Column {
        let key: String
        let name: String
        var type: PostgresDataType
        var elements = PostgresEncodingBuffer()
        var hasNull = false
        var nullCount = 0
        /// Where each row's element starts in `elements`, for key columns (deduplication).
        var offsets: [Int]?
    }

    /// Columns whose per-row element offsets are recorded.
    var trackedColumns: Set<String> = []
    /// The table's column types: each column travels as an array of the column's own type,
    /// converted here, so a value that does not fit fails before sending, naming its column.
    var plan: TableEncodingPlan

    let keyMapping: KeyMapping
    private(set) var columns: [Column] = []
    private(set) var rows = 0
    private var position = 0

    init(keyMapping: KeyMapping, plan: TableEncodingPlan = .disabled) {
        self.keyMapping = keyMapping
        self.plan = plan
    }

    mutating func beginRow() { position = 0 }

    mutating func endRow() throws {
        guard position == columns.count else {
            throw PostgresEncodingError(.unsupportedValue, "a model encoded \(position) properties where the first encoded \(columns.count)")
        }
        rows += 1
    }

    @inline(__always)
    private mutating func column(for key: String, type: PostgresDataType) throws -> Int {
        if rows == 0 {
            let name = keyMapping.column(for: key)
            columns.append(Column(key: key, name: name, type: type, offsets: trackedColumns.contains(name) ? [] : nil))
        } else {
            guard position < columns.count, columns[position].key == key else {
                throw PostgresEncodingError(.unsupportedValue, "a model encoded property \(key.debugDescription) out of the first row's order")
            }
            if columns[position].type == .unspecified, type != .unspecified { columns[position].type = type }
        }
        defer { position += 1 }
        return position
    }

    mutating func append<Value: PostgresEncodable>(_ value: Value, key: String) throws {
        let index = try column(for: key, type: Value.postgresType)
        let isNull = value.isPostgresNull
        if isNull {
            columns[index].hasNull = true
            columns[index].nullCount += 1
        }
        let offset = columns[index].elements.count
        columns[index].offsets?.append(offset)
        do {
            if plan.isEnabled, !isNull {
                var conversion = plan.decided(at: index, value: Value.postgresType)
                if conversion == nil {
                    let column = columns[index].name
                    conversion = try plan.decide(at: index, value: Value.postgresType, swiftType: Value.self, column: column).conversion
                }
                if let conversion, !conversion.isIdentity {
                    try columns[index].elements.appendField(value, converting: conversion)
                    return
                }
            }
            try columns[index].elements.appendField(value)
        } catch var error as PostgresEncodingError {
            if error.column == nil { error.column = keyMapping.column(for: key) }
            if error.columnType == nil { error.columnType = plan.columns[keyMapping.column(for: key)]?.declaredSQL }
            throw error
        }
    }

    mutating func appendNull(type: PostgresDataType, key: String) throws {
        let index = try column(for: key, type: type)
        columns[index].hasNull = true
        columns[index].nullCount += 1
        let offset = columns[index].elements.count
        columns[index].offsets?.append(offset)
        columns[index].elements.append(bigEndian: Int32(-1))
    }

    /// The encoded bytes of row `row`'s element in tracked column `index`.
    func element(row: Int, column index: Int) -> ArraySlice<UInt8> {
        guard let offsets = columns[index].offsets else { return [] }
        let end = row + 1 < offsets.count ? offsets[row + 1] : columns[index].elements.count
        return columns[index].elements.bytes[offsets[row]..<end]
    }

    /// Column `index` as a one-dimensional array value, with its element and array types.
    func array(_ index: Int) -> PostgresArrayValue {
        let column = columns[index]
        let element = sentType(index) ?? (column.type == .unspecified ? PostgresDataType.text : column.type)
        return PostgresArrayValue(elementType: element, count: rows, hasNull: column.hasNull, elements: column.elements.bytes)
    }

    /// The type column `index`'s values were converted to, when the table's types are known:
    /// the decided encoding's, or for a column of NULLs only, the column's own.
    func sentType(_ index: Int) -> PostgresDataType? {
        guard plan.isEnabled else { return nil }
        return plan.encoding(at: index)?.sentType ?? plan.columns[columns[index].name]?.base.oid
    }

    /// The SQL name of ``sentType(_:)``, for the `$n::type[]` cast; nil when unknown.
    func sentTypeSQL(_ index: Int) -> String? {
        guard plan.isEnabled else { return nil }
        return plan.encoding(at: index)?.sentTypeSQL ?? plan.columns[columns[index].name]?.base.sqlName
    }
}

/// A pre-encoded one-dimensional array, bound as one parameter.
struct PostgresArrayValue: PostgresEncodable {
    let elementType: PostgresDataType
    let count: Int
    let hasNull: Bool
    let elements: [UInt8]

    static var postgresType: PostgresDataType { .unspecified }

    func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: Int32(count == 0 ? 0 : 1))
        buffer.append(bigEndian: Int32(hasNull ? 1 : 0))
        buffer.append(bigEndian: elementType.rawValue)
        if count > 0 {
            buffer.append(bigEndian: Int32(count))
            buffer.append(bigEndian: Int32(1))
            buffer.append(contentsOf: elements)
        }
    }

    /// The SQL name of the array type, for the `$n::type[]` cast `unnest` needs.
    var arrayTypeName: String? {
        PostgresDataType.sqlNames[elementType.rawValue].map { $0 + "[]" }
    }
}

extension PostgresDataType {
    /// SQL spellings of built-in element types, for casts.
    static let sqlNames: [UInt32: String] = [
        16: "bool", 17: "bytea", 18: "\"char\"", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text", 26: "oid",
        114: "json", 700: "float4", 701: "float8", 1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time",
        1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1700: "numeric", 2950: "uuid", 3802: "jsonb",
    ]
}
