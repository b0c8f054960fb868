/// A condition on a model's rows, built from key paths and values that are always bound:
///
/// ```swift
/// try await users.list(where: \.active == true && \.age >= 18 && .endsWith(\.email, "@example.com"))
/// try await users.count(where: .in(\.id, [1, 2, 3]) || .isNull(\.deletedAt))
/// try await users.list(where: .sql("lower(email) = lower(\(email))"))   // raw SQL, still bound
/// ```
///
/// A key path must name a stored property of the model; anything else is a
/// ``RepositoryError/Code/unknownColumn`` error, thrown before anything is sent.
public struct Filter<M: Model>: Sendable {
    let sql: SQL
    let error: RepositoryError?

    init(_ sql: SQL, error: RepositoryError? = nil) {
        self.sql = sql
        self.error = error
    }

    /// Matches every row.
    public static var all: Filter { Filter("TRUE") }

    /// A raw SQL condition; interpolated values are still bound.
    public static func sql(_ condition: SQL) -> Filter { Filter(condition) }

    /// The SQL text and bindings, or the error the filter carries.
    func build() throws -> SQL {
        if let error { throw error }
        return sql
    }

    static func column<V>(_ keyPath: KeyPath<M, V>) -> (SQL, RepositoryError?) {
        let schema = ModelSchema.of(M.self)
        guard let column = schema.column(for: keyPath) else {
            return (SQL(), schema.unknownColumn(keyPath, of: M.self))
        }
        return ("\(ident: column)", nil)
    }

    static func compare<V: PostgresEncodable>(_ keyPath: KeyPath<M, V>, _ op: String, _ value: V) -> Filter {
        let (column, error) = self.column(keyPath)
        if value.isPostgresNull {
            // `= NULL` is never true in SQL; comparing with nil means IS NULL.
            switch op {
            case "=": return Filter("\(column) IS NULL", error: error)
            case "<>": return Filter("\(column) IS NOT NULL", error: error)
            default: return Filter("FALSE", error: error)
            }
        }
        return Filter("\(column) \(unsafeRaw: op) \(value)", error: error)
    }

    /// `column = ANY($1)`: the column equals one of `values` (bound as one array). No values
    /// match no row: `in []` is `FALSE`.
    public static func `in`<V: PostgresArrayElement>(_ keyPath: KeyPath<M, V>, _ values: [V]) -> Filter {
        membership(keyPath, values, negated: false)
    }

    /// `column = ANY($1)` for an optional column.
    public static func `in`<V: PostgresArrayElement>(_ keyPath: KeyPath<M, V?>, _ values: [V]) -> Filter {
        membership(keyPath, values, negated: false)
    }

    /// `NOT (column = ANY($1))`: the column equals none of `values` (NULL columns do not match).
    /// No values exclude no row: `notIn []` is `TRUE`.
    public static func notIn<V: PostgresArrayElement>(_ keyPath: KeyPath<M, V>, _ values: [V]) -> Filter {
        membership(keyPath, values, negated: true)
    }

    /// `NOT (column = ANY($1))` for an optional column.
    public static func notIn<V: PostgresArrayElement>(_ keyPath: KeyPath<M, V?>, _ values: [V]) -> Filter {
        membership(keyPath, values, negated: true)
    }

    static func membership<Value, V: PostgresArrayElement>(_ keyPath: KeyPath<M, Value>, _ values: [V], negated: Bool) -> Filter {
        let (column, error) = self.column(keyPath)
        return membership(column, array: values.isEmpty ? nil : "\(values)", negated: negated, error: error)
    }

    /// `array` is the bound list, nil when it is empty. Spelled out for an empty list:
    /// `x = ANY('{}')` is already false, but `NOT (NULL = ANY('{}'))` reads as a puzzle, and
    /// `TRUE` / `FALSE` say what the caller asked for.
    static func membership(_ column: SQL, array: SQL?, negated: Bool, error: RepositoryError?) -> Filter {
        guard let array else { return Filter(negated ? "TRUE" : "FALSE", error: error) }
        return Filter(negated ? "NOT (\(column) = ANY(\(array)))" : "\(column) = ANY(\(array))", error: error)
    }

    /// `column LIKE $1`, where `%` and `_` in `pattern` are wildcards and a backslash escapes them. For
    /// text a user typed, use `contains`, `startsWith`, `endsWith` or
    /// ``search(_:in:ignoringCase:)``, which escape it.
    public static func likePattern(_ keyPath: KeyPath<M, String>, _ pattern: String) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) LIKE \(pattern)", error: error)
    }

    /// `column LIKE $1` for an optional column; the text is a pattern.
    public static func likePattern(_ keyPath: KeyPath<M, String?>, _ pattern: String) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) LIKE \(pattern)", error: error)
    }

    /// `column ILIKE $1`: a case-insensitive `likePattern`.
    public static func ilikePattern(_ keyPath: KeyPath<M, String>, _ pattern: String) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) ILIKE \(pattern)", error: error)
    }

    /// `column ILIKE $1` for an optional column.
    public static func ilikePattern(_ keyPath: KeyPath<M, String?>, _ pattern: String) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) ILIKE \(pattern)", error: error)
    }

    /// `column LIKE $1`, the pattern used as it is.
    @available(*, deprecated, renamed: "likePattern", message: "the text is a pattern; for a user's text use contains/startsWith/endsWith")
    public static func like(_ keyPath: KeyPath<M, String>, _ pattern: String) -> Filter { likePattern(keyPath, pattern) }

    /// `column LIKE $1` for an optional column, the pattern used as it is.
    @available(*, deprecated, renamed: "likePattern", message: "the text is a pattern; for a user's text use contains/startsWith/endsWith")
    public static func like(_ keyPath: KeyPath<M, String?>, _ pattern: String) -> Filter { likePattern(keyPath, pattern) }

    /// `column ILIKE $1`, the pattern used as it is.
    @available(*, deprecated, renamed: "ilikePattern", message: "the text is a pattern; for a user's text use contains/startsWith/endsWith")
    public static func ilike(_ keyPath: KeyPath<M, String>, _ pattern: String) -> Filter { ilikePattern(keyPath, pattern) }

    /// `column ILIKE $1` for an optional column, the pattern used as it is.
    @available(*, deprecated, renamed: "ilikePattern", message: "the text is a pattern; for a user's text use contains/startsWith/endsWith")
    public static func ilike(_ keyPath: KeyPath<M, String?>, _ pattern: String) -> Filter { ilikePattern(keyPath, pattern) }

    /// `column IS NULL`.
    public static func isNull<V>(_ keyPath: KeyPath<M, V?>) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) IS NULL", error: error)
    }

    /// `column IS NOT NULL`.
    public static func isNotNull<V>(_ keyPath: KeyPath<M, V?>) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) IS NOT NULL", error: error)
    }

    /// `column BETWEEN $1 AND $2` (inclusive).
    public static func between<V: PostgresEncodable>(_ keyPath: KeyPath<M, V>, _ lower: V, _ upper: V) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter("\(column) BETWEEN \(lower) AND \(upper)", error: error)
    }

    /// A condition on a column named at run time (an API's filter parameter, say): the name must
    /// be one of the model's columns.
    public static func column<V: PostgresEncodable>(_ name: String, _ op: Comparison, _ value: V) -> Filter {
        guard ModelSchema.of(M.self).columnSet.contains(name) else {
            return Filter(SQL(), error: RepositoryError(.unknownColumn, "\(M.entityName) has no column \(name.debugDescription)"))
        }
        if value.isPostgresNull {
            return Filter(op == .notEqual ? "\(ident: name) IS NOT NULL" : "\(ident: name) IS NULL")
        }
        return Filter("\(ident: name) \(unsafeRaw: op.rawValue) \(value)")
    }

    /// A comparison operator for ``column(_:_:_:)``.
    public enum Comparison: String, Sendable {
        case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    static func combine(_ lhs: Filter, _ op: String, _ rhs: Filter) -> Filter {
        Filter("(\(lhs.sql) \(unsafeRaw: op) \(rhs.sql))", error: lhs.error ?? rhs.error)
    }
}

// MARK: - Operators

/// `column = $1` (`IS NULL` when the value is nil).
public func == <M: Model, V: PostgresEncodable>(lhs: KeyPath<M, V>, rhs: V) -> Filter<M> { .compare(lhs, "=", rhs) }
/// `column <> $1` (`IS NOT NULL` when the value is nil).
public func != <M: Model, V: PostgresEncodable>(lhs: KeyPath<M, V>, rhs: V) -> Filter<M> { .compare(lhs, "<>", rhs) }
/// `column < $1`.
public func < <M: Model, V: PostgresEncodable>(lhs: KeyPath<M, V>, rhs: V) -> Filter<M> { .compare(lhs, "<", rhs) }
/// `column <= $1`.
public func <= <M: Model, V: PostgresEncodable>(lhs: KeyPath<M, V>, rhs: V) -> Filter<M> { .compare(lhs, "<=", rhs) }
/// `column > $1`.
public func > <M: Model, V: PostgresEncodable>(lhs: KeyPath<M, V>, rhs: V) -> Filter<M> { .compare(lhs, ">", rhs) }
/// `column >= $1`.
public func >= <M: Model, V: PostgresEncodable>(lhs: KeyPath<M, V>, rhs: V) -> Filter<M> { .compare(lhs, ">=", rhs) }

/// Both conditions.
public func && <M: Model>(lhs: Filter<M>, rhs: Filter<M>) -> Filter<M> { .combine(lhs, "AND", rhs) }
/// Either condition.
public func || <M: Model>(lhs: Filter<M>, rhs: Filter<M>) -> Filter<M> { .combine(lhs, "OR", rhs) }
/// The opposite condition.
public prefix func ! <M: Model>(filter: Filter<M>) -> Filter<M> { Filter("NOT (\(filter.sql))", error: filter.error) }
