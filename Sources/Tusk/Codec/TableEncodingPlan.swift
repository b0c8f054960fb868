/// One table's column types and, per encoded column, the ``ColumnEncoding`` its values get:
/// decided at the column's first value, then looked up with one comparison per value.
///
/// Sinks hold one for the statement they build (a COPY, an `unnest` batch); columns are indexed by
/// their position in the encoded row. A column the table does not have is left as it is (the
/// server then names it in its own error).
struct TableEncodingPlan: Sendable {
    /// The table, for messages.
    let table: String
    let columns: [String: PostgresColumnType]
    let timeZone: SessionTimeZone
    let path: ColumnEncoding.Path
    /// False for a plan that converts nothing (no column types known).
    let isEnabled: Bool

    /// By position: the value type each decision was made for.
    private var decidedTypes: [UInt32?] = []
    /// By position: the decided conversion (kept apart from ``encodings`` so that the per-value
    /// lookup copies no strings).
    private var conversions: [PostgresBinaryConversion] = []
    /// By position: the decided encodings.
    private(set) var encodings: [ColumnEncoding?] = []

    init(table: String, columns: [String: PostgresColumnType], timeZone: SessionTimeZone, path: ColumnEncoding.Path) {
        self.table = table
        self.columns = columns
        self.timeZone = timeZone
        self.path = path
        isEnabled = true
    }

    private init() {
        table = ""
        columns = [:]
        timeZone = .utc
        path = .copy
        isEnabled = false
    }

    /// A plan that leaves every value as its codec encodes it.
    static let disabled = TableEncodingPlan()

    /// The conversion already decided for a value of type `type` at `position`, if any: the
    /// per-value lookup, one comparison.
    @inline(__always)
    func decided(at position: Int, value type: PostgresDataType) -> PostgresBinaryConversion? {
        guard position < decidedTypes.count, decidedTypes[position] == type.rawValue else { return nil }
        return conversions[position]
    }

    /// Decides (or re-decides, for another value type) how values go into the column at
    /// `position`.
    ///
    /// - Throws: ``PostgresEncodingError`` for a pair Tusk refuses, or when a column would receive
    ///   values of two types that are sent differently (an `unnest` array has one element type).
    @discardableResult
    mutating func decide(at position: Int, value type: PostgresDataType, swiftType: Any.Type?, column name: String) throws -> ColumnEncoding {
        while decidedTypes.count <= position {
            decidedTypes.append(nil)
            conversions.append(.identity)
            encodings.append(nil)
        }
        let encoding: ColumnEncoding
        if let column = columns[name] {
            encoding = try ColumnEncoding.plan(value: type, swiftType: swiftType, into: column, timeZone: timeZone, path: path)
        } else {
            encoding = ColumnEncoding(conversion: .identity, sentType: type, sentTypeSQL: PostgresDataType.sqlNames[type.rawValue] ?? "text")
        }
        if let earlier = encodings[position], earlier.sentType != encoding.sentType {
            throw PostgresEncodingError(.unsupportedValue,
                                        "column \(name) of \(table) received values of two types (\(earlier.sentType) and \(encoding.sentType))",
                                        column: name)
        }
        decidedTypes[position] = type.rawValue
        conversions[position] = encoding.conversion
        encodings[position] = encoding
        return encoding
    }

    /// The encoding decided for `position`, if a value was seen there.
    func encoding(at position: Int) -> ColumnEncoding? {
        position < encodings.count ? encodings[position] : nil
    }
}
