/// One sort key of a listing: a column, a direction and where NULLs go.
///
/// ```swift
/// try await posts.list(orderBy: [.desc(\.publishedAt, nulls: .last), .asc(\.id)])
/// try await posts.list(orderBy: [try Order(column: request.sort, direction: request.direction)])
/// ```
public struct Order<M: Model>: Sendable {
    /// Where NULLs sort.
    public enum Nulls: String, Sendable {
        case first = "NULLS FIRST", last = "NULLS LAST"
    }

    let column: String
    let descending: Bool
    let nulls: Nulls?
    /// The type the column's values bind as, when the order was built from a typed key path: a
    /// keyset cursor from a request must carry values of that type.
    let valueType: PostgresDataType?

    /// Ascending by a stored property.
    public static func asc<V>(_ keyPath: KeyPath<M, V>, nulls: Nulls? = nil) -> Order {
        Order(column: ModelSchema.of(M.self).column(for: keyPath) ?? "", descending: false, nulls: nulls,
              valueType: (V.self as? any PostgresEncodable.Type)?.postgresType)
    }

    /// Descending by a stored property.
    public static func desc<V>(_ keyPath: KeyPath<M, V>, nulls: Nulls? = nil) -> Order {
        Order(column: ModelSchema.of(M.self).column(for: keyPath) ?? "", descending: true, nulls: nulls,
              valueType: (V.self as? any PostgresEncodable.Type)?.postgresType)
    }

    init(column: String, descending: Bool, nulls: Nulls?, valueType: PostgresDataType?) {
        self.column = column
        self.descending = descending
        self.nulls = nulls
        self.valueType = valueType
    }

    /// A sort key named at run time (an API's `sort` and `direction` parameters).
    ///
    /// - Throws: ``RepositoryError`` with `unknownColumn` when `column` is not one of the model's
    ///   columns (so `"id; DROP TABLE users"` never reaches SQL), or `invalidArgument` when
    ///   `direction` is not `asc` or `desc`.
    public init(column: String, direction: String = "asc", nulls: Nulls? = nil) throws {
        guard ModelSchema.of(M.self).columnSet.contains(column) else {
            throw RepositoryError(.unknownColumn, "\(M.entityName) has no column \(column.debugDescription) to order by")
        }
        switch direction.lowercased() {
        case "asc", "ascending": descending = false
        case "desc", "descending": descending = true
        default: throw RepositoryError(.invalidArgument, "sort direction \(direction.debugDescription) is neither asc nor desc")
        }
        self.column = column
        self.nulls = nulls
        valueType = nil
    }

    func build() throws -> SQL {
        guard !column.isEmpty else {
            throw RepositoryError(.unknownColumn, "an order key path is not a stored property of \(M.self)")
        }
        var sql: SQL = "\(ident: column) \(unsafeRaw: descending ? "DESC" : "ASC")"
        if let nulls { sql.appendRaw(" " + nulls.rawValue) }
        return sql
    }
}

/// How many rows a listing returns at most.
///
/// A listing without a limit is bounded by ``default`` (100 rows, the seed's guard): a
/// forgotten limit cannot load a whole table. Lift it explicitly with ``unbounded``.
public enum ListLimit: Sendable, ExpressibleByIntegerLiteral, Equatable {
    /// At most this many rows.
    case rows(Int)
    /// No limit: every matching row.
    case unbounded

    /// 100 rows.
    public static let `default` = ListLimit.rows(100)

    /// `limit: 50`.
    public init(integerLiteral value: Int) {
        self = .rows(value)
    }

    func build() throws -> SQL {
        switch self {
        case .unbounded: return SQL()
        case .rows(let count):
            guard count >= 0 else { throw RepositoryError(.invalidArgument, "a limit cannot be negative (\(count))") }
            return " LIMIT \(Int64(count))"
        }
    }
}
