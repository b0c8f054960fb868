/// Rows encoded column by column, each column as one PostgreSQL array, for the set-based
/// statements: `INSERT … SELECT … FROM unnest($1, $2, …)`, `UPDATE … FROM unnest(…)`,
/// `DELETE … USING unnest(…)` and `= ANY`-style key matches. One parameter per column, whatever
/// the row count.
///
/// It is the one set-based encoder: models write into it (``RowEncodingSink``, from
/// `encodeModelRow(into:)` or `Encodable`) for `addMany(returning:)`, `upsertMany` and
/// `updateMany`, and the flush feeds it the already-encoded fields of its snapshots
/// (``init(fieldRows:plan:)``). Either way, each column's values are converted to the table's
/// column type (decided at the column's first value, through the ``TableEncodingPlan``) and the
/// array's element type follows one rule (``elementType(_:)``).
struct UnnestColumns: RowEncodingSink {
    struct Column {
        let key: String
        let name: String
        /// The first value type seen that says how it binds (`.unspecified` until then).
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

    /// Rows of already-encoded fields (the flush's snapshots), every row with the same columns in
    /// the same order.
    ///
    /// - Throws: ``PostgresEncodingError`` for a value the column's type refuses, naming the
    ///   column and the row.
    init(fieldRows: [[EncodedRow.Field]], plan: TableEncodingPlan) throws {
        self.init(keyMapping: .useKeys, plan: plan)
        for row in fieldRows {
            beginRow()
            for field in row { try append(field: field) }
            try endRow()
        }
    }

    mutating func beginRow() { position = 0 }

    mutating func endRow() throws {
        guard position == columns.count else {
            throw PostgresEncodingError(.unsupportedValue, "a model encoded \(position) properties where the first encoded \(columns.count)")
        }
        rows += 1
    }

    @inline(__always)
    private mutating func column(for key: String, named name: @autoclosure () -> String, type: PostgresDataType) throws -> Int {
        if rows == 0 {
            let name = name()
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

    /// Starts the element of the current row in column `index`.
    @inline(__always)
    private mutating func beginElement(_ index: Int, isNull: Bool) {
        if isNull {
            columns[index].hasNull = true
            columns[index].nullCount += 1
        }
        let start = columns[index].elements.count
        columns[index].offsets?.append(start)
    }

    /// The conversion values of `type` get in column `index`, decided at its first value.
    @inline(__always)
    private mutating func decideConversion(_ index: Int, for type: PostgresDataType, swiftType: Any.Type?) throws -> PostgresBinaryConversion {
        guard plan.isEnabled else { return .identity }
        if let decided = plan.decided(at: index, value: type) { return decided }
        return try plan.decide(at: index, value: type, swiftType: swiftType, column: columns[index].name).conversion
    }

    /// Names the column, its declared type and the row in an error of column `index`.
    private func located(_ error: PostgresEncodingError, column index: Int) -> PostgresEncodingError {
        var error = error
        let name = columns[index].name
        if error.column == nil { error.column = name }
        if error.columnType == nil { error.columnType = plan.columns[name]?.declaredSQL }
        error.message += " (row \(rows + 1) of the statement)"
        return error
    }

    mutating func append<Value: PostgresEncodable>(_ value: Value, key: String) throws {
        let mapping = keyMapping
        let index = try column(for: key, named: mapping.column(for: key), type: Value.postgresType)
        let isNull = value.isPostgresNull
        beginElement(index, isNull: isNull)
        do {
            let conversion = isNull ? .identity : try decideConversion(index, for: Value.postgresType, swiftType: Value.self)
            if conversion.isIdentity {
                try columns[index].elements.appendField(value)
            } else {
                try columns[index].elements.appendField(value, converting: conversion)
            }
        } catch let error as PostgresEncodingError {
            throw located(error, column: index)
        }
    }

    mutating func appendNull(type: PostgresDataType, key: String) throws {
        let mapping = keyMapping
        let index = try column(for: key, named: mapping.column(for: key), type: type)
        beginElement(index, isNull: true)
        columns[index].elements.append(bigEndian: Int32(-1))
    }

    /// Appends a field encoded earlier (its bytes as its codec wrote them), converted like a
    /// value of its type.
    mutating func append(field: EncodedRow.Field) throws {
        let index = try column(for: field.key, named: field.column, type: field.type)
        beginElement(index, isNull: field.bytes == nil)
        do {
            let conversion = field.bytes == nil ? .identity : try decideConversion(index, for: field.type, swiftType: nil)
            try columns[index].elements.appendField(encoded: field.bytes, converting: conversion)
        } catch let error as PostgresEncodingError {
            throw located(error, column: index)
        }
    }

    /// The encoded bytes of row `row`'s element in tracked column `index`.
    func element(row: Int, column index: Int) -> ArraySlice<UInt8> {
        guard let offsets = columns[index].offsets else { return [] }
        let end = row + 1 < offsets.count ? offsets[row + 1] : columns[index].elements.count
        return columns[index].elements.bytes[offsets[row]..<end]
    }

    /// The element type of column `index`'s array: the type its values were converted to when the
    /// table's types are known (for a column of NULLs only, the column's own), else the first
    /// value type seen, else `text`.
    func elementType(_ index: Int) -> (type: PostgresDataType, sql: String) {
        if plan.isEnabled {
            if let encoding = plan.encoding(at: index) { return (encoding.sentType, encoding.sentTypeSQL) }
            if let column = plan.columns[columns[index].name] { return (column.base.oid, column.base.sqlName) }
        }
        let type = columns[index].type
        if type != .unspecified, let name = PostgresDataType.sqlNames[type.rawValue] { return (type, name) }
        return (.text, "text")
    }

    /// Column `index` as a bound array cast to its array type: `$1::int8[]`.
    ///
    /// - Throws: ``PostgresEncodingError`` with `unsupportedValue` when the table's column is
    ///   itself an array (`unnest` would flatten an array of arrays).
    func arraySQL(_ index: Int) throws -> SQL {
        if let target = plan.columns[columns[index].name], target.isArray {
            // Refused whatever the values (a column of NULLs only included).
            _ = try ColumnEncoding.plan(value: target.declared, swiftType: nil, into: target, timeZone: .utc, path: .unnest)
        }
        let element = elementType(index)
        let column = columns[index]
        let array = PostgresArrayValue(elementType: element.type, count: rows, hasNull: column.hasNull, elements: column.elements.bytes)
        return "\(array)::\(unsafeRaw: element.sql)[]"
    }
}
