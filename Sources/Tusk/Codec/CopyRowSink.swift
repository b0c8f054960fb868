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
