/// How values of one PostgreSQL type go into one column: the conversion of their bytes, and the
/// type they have once converted (what an `unnest` array of them is cast to).
///
/// This is the conversion table, decided once per column from the value's static type and the
/// column's catalog type ("types already match" is the common case, and costs nothing per value):
///
/// | value | column | bytes |
/// |---|---|---|
/// | any type | the same type, or a domain over it | untouched |
/// | `int2`/`int4`/`int8` | `int2`/`int4`/`int8` | widened, or narrowed with a range check |
/// | integers | `numeric`, `float4`, `float8` | exact / rounded to nearest, as the server's casts |
/// | `float4`/`float8` | `float8`/`float4` | widened; narrowed with overflow and underflow checks |
/// | `float4`/`float8` | `numeric` | 6 / 15 significant digits, as `float8_numeric` |
/// | `float4`/`float8` | integers | `rint`, range check |
/// | `numeric` | integers, `float4`, `float8` | half away from zero / correctly rounded, range checks |
/// | `timestamptz` (`Date`) | `timestamp`, `date` | the UTC wall clock (session `TimeZone` UTC only) |
/// | `timestamp` | `date` | the day; `timestamptz` in UTC sessions only |
/// | `date` | `timestamp` | midnight; `timestamptz` in UTC sessions only |
/// | text (`text`, `varchar`, `name`, String-backed enums) | `text`, `varchar`, `bpchar`, `citext`, enums, `json` | untouched |
/// | text | `jsonb` / `name` | version byte added / refused past 63 bytes |
/// | `json` | `jsonb`, text columns | version byte added / untouched |
/// | `jsonb` | `json` | version byte dropped (the JSON text as encoded, not jsonb's normal form) |
/// | arrays | arrays | the element rules above, and the header names the column's element type |
///
/// Anything else is refused with ``PostgresEncodingError/Code/typeMismatch``, naming the column and
/// both types, before a value is sent.
struct ColumnEncoding: Hashable, Sendable {
    /// Where the values go.
    enum Path: Hashable, Sendable {
        /// Binary COPY: no casts at all, so everything converts here, or is refused.
        case copy
        /// One array parameter per column, `unnest`ed: a conversion that depends on the session's
        /// time zone is left to the server's assignment cast (the value keeps its own type);
        /// array columns are refused (PostgreSQL has no arrays of arrays).
        case unnest
    }

    /// What happens to each value's bytes.
    var conversion: PostgresBinaryConversion
    /// The type of the converted values: the column's base type, or the value's own type when the
    /// conversion is left to the server.
    var sentType: PostgresDataType
    /// ``sentType``'s SQL name, for the `$n::type[]` cast.
    var sentTypeSQL: String

    /// Decides how values of type `value` go into `column`.
    ///
    /// - Parameters:
    ///   - value: the value's PostgreSQL type (``PostgresEncodable/postgresType``);
    ///     ``PostgresDataType/unspecified`` means text the server would infer (String-backed enums).
    ///   - swiftType: the Swift type, for messages, when known.
    /// - Throws: ``PostgresEncodingError`` with `typeMismatch` for a pair Tusk does not convert,
    ///   `unsupportedValue` for an array column on the `unnest` path.
    static func plan(value: PostgresDataType, swiftType: Any.Type?, into column: PostgresColumnType,
                     timeZone: SessionTimeZone, path: Path) throws -> ColumnEncoding {
        let identity = ColumnEncoding(conversion: .identity, sentType: column.base.oid, sentTypeSQL: column.base.sqlName)
        if let element = column.element {
            guard path == .copy else {
                throw PostgresEncodingError(
                    .unsupportedValue,
                    "column \(column.column) is \(column.declaredSQL): array columns cannot travel as unnest arrays (PostgreSQL has no arrays of arrays); use addMany (COPY), add or update",
                    column: column.column, valueType: value, columnType: column.declaredSQL)
            }
            if value == column.declared || value == column.base.oid { return identity }
            guard let valueElement = value.arrayElementType else {
                throw mismatch(value, swiftType, column)
            }
            let header = column.elementDeclared ?? element.oid
            switch rule(from: valueElement, to: element, timeZone: timeZone) {
            case .step(let step):
                if case .none = step, valueElement == header { return identity }
                return ColumnEncoding(conversion: PostgresBinaryConversion(step: step, arrayElementType: header),
                                      sentType: column.base.oid, sentTypeSQL: column.base.sqlName)
            case .dependsOnTimeZone:
                throw timeZoneRefusal(value, swiftType, column, timeZone)
            case nil:
                throw mismatch(value, swiftType, column)
            }
        }
        if value == column.declared || value == column.base.oid { return identity }
        if value.arrayElementType != nil { throw mismatch(value, swiftType, column) }
        switch rule(from: value, to: column.base, timeZone: timeZone) {
        case .step(let step):
            return ColumnEncoding(conversion: PostgresBinaryConversion(step: step, arrayElementType: nil),
                                  sentType: column.base.oid, sentTypeSQL: column.base.sqlName)
        case .dependsOnTimeZone:
            guard path == .unnest, let name = PostgresDataType.sqlNames[value.rawValue] else {
                throw timeZoneRefusal(value, swiftType, column, timeZone)
            }
            // The server's assignment cast applies its own zone rules: send the value as it is.
            return ColumnEncoding(conversion: .identity, sentType: value, sentTypeSQL: name)
        case nil:
            throw mismatch(value, swiftType, column)
        }
    }

    /// The outcome of the scalar rules.
    enum Rule: Hashable {
        case step(PostgresBinaryConversion.Step)
        /// Correct only with the session's time-zone rules.
        case dependsOnTimeZone
    }

    /// The scalar rules of the table above; nil for a pair Tusk refuses.
    static func rule(from value: PostgresDataType, to target: PostgresColumnType.BaseType, timeZone: SessionTimeZone) -> Rule? {
        typealias Step = PostgresBinaryConversion.Step
        if value == target.oid { return .step(.none) }
        let utc = timeZone == .utc
        if let from = PostgresBinaryConversion.IntegerWidth(value) {
            if let to = PostgresBinaryConversion.IntegerWidth(target.oid) { return .step(.integer(from: from, to: to)) }
            if let to = PostgresBinaryConversion.FloatWidth(target.oid) { return .step(.integerToFloat(from: from, to: to)) }
            if target.oid == .numeric { return .step(.integerToNumeric(from: from)) }
            return nil
        }
        if let from = PostgresBinaryConversion.FloatWidth(value) {
            if let to = PostgresBinaryConversion.FloatWidth(target.oid) { return .step(.float(from: from, to: to)) }
            if let to = PostgresBinaryConversion.IntegerWidth(target.oid) { return .step(.floatToInteger(from: from, to: to)) }
            if target.oid == .numeric { return .step(.floatToNumeric(from: from)) }
            return nil
        }
        switch (value, target.oid) {
        case (.numeric, _):
            if let to = PostgresBinaryConversion.IntegerWidth(target.oid) { return .step(.numericToInteger(to: to)) }
            if let to = PostgresBinaryConversion.FloatWidth(target.oid) { return .step(.numericToFloat(to: to)) }
            return nil
        case (.timestamptz, .timestamp): return utc ? .step(.none) : .dependsOnTimeZone
        case (.timestamptz, .date): return utc ? .step(.timestampToDate) : .dependsOnTimeZone
        case (.timestamp, .timestamptz): return utc ? .step(.none) : .dependsOnTimeZone
        case (.timestamp, .date): return .step(.timestampToDate)
        case (.date, .timestamp): return .step(.dateToTimestamp)
        case (.date, .timestamptz): return utc ? .step(.dateToTimestamp) : .dependsOnTimeZone
        case (.json, .jsonb): return .step(.addJSONBVersion)
        case (.json, _): return PostgresColumnType.storesText(target) && !target.isEnum ? .step(.none) : nil
        case (.jsonb, .json): return .step(.dropJSONBVersion)
        default: break
        }
        guard isText(value) else { return nil }
        if PostgresColumnType.storesText(target) || target.oid == .json { return .step(.none) }
        if target.oid == .jsonb { return .step(.addJSONBVersion) }
        if target.oid == .name { return .step(.checkNameLength) }
        return nil
    }

    /// Value types whose bytes are plain text. `bpchar` is not among them: its cast to text drops
    /// trailing spaces.
    static func isText(_ type: PostgresDataType) -> Bool {
        switch type {
        case .text, .varchar, .name, .unspecified, .unknown: true
        default: false
        }
    }

    private static func describe(_ value: PostgresDataType, _ swiftType: Any.Type?) -> String {
        let postgres = value == .unspecified ? "text" : value.description
        return swiftType.map { "\($0) (\(postgres))" } ?? postgres
    }

    private static func mismatch(_ value: PostgresDataType, _ swiftType: Any.Type?, _ column: PostgresColumnType) -> PostgresEncodingError {
        PostgresEncodingError(.typeMismatch,
                              "column \(column.column) is \(column.declaredSQL): a \(describe(value, swiftType)) value cannot be stored there",
                              column: column.column, valueType: value, columnType: column.declaredSQL)
    }

    private static func timeZoneRefusal(_ value: PostgresDataType, _ swiftType: Any.Type?, _ column: PostgresColumnType,
                                        _ timeZone: SessionTimeZone) -> PostgresEncodingError {
        PostgresEncodingError(
            .typeMismatch,
            "column \(column.column) is \(column.declaredSQL): converting a \(describe(value, swiftType)) value follows the session TimeZone (\(timeZone.name)), which Tusk converts client-side only for UTC (its default); use a UTC session or a timestamptz column",
            column: column.column, valueType: value, columnType: column.declaredSQL)
    }
}
