/// One `column = value` of a partial or set-based update.
///
/// ```swift
/// try await users.update(id: 42, set: [.set(\.displayName, "Ada"), .set(\.active, true)])
/// try await users.updateWhere(\.lastLogin < cutoff, set: [.set(\.active, false)])
/// try await counters.updateWhere(\.name == "hits", set: [.sql("value", "value + 1")])
/// ```
public struct Assignment<M: Model>: Sendable {
    let column: String
    let value: SQL
    let error: RepositoryError?

    /// Sets a stored property to a value (bound).
    public static func set<V: PostgresEncodable>(_ keyPath: KeyPath<M, V>, _ value: V) -> Assignment {
        let schema = ModelSchema.of(M.self)
        guard let column = schema.column(for: keyPath) else {
            return Assignment(column: "", value: SQL(), error: schema.unknownColumn(keyPath, of: M.self))
        }
        return Assignment(column: column, value: "\(value)", error: nil)
    }

    /// Sets a column (named, and checked against the model) to a SQL expression:
    /// `.sql("views", "views + 1")`. Interpolated values in the expression are bound.
    public static func sql(_ column: String, _ expression: SQL) -> Assignment {
        guard ModelSchema.of(M.self).columnSet.contains(column) else {
            return Assignment(column: column, value: SQL(), error: RepositoryError(.unknownColumn, "\(M.entityName) has no column \(column.debugDescription)"))
        }
        return Assignment(column: column, value: expression, error: nil)
    }

    static func build(_ assignments: [Assignment]) throws -> SQL {
        guard !assignments.isEmpty else { throw RepositoryError(.invalidArgument, "an update needs at least one assignment") }
        for assignment in assignments { if let error = assignment.error { throw error } }
        return SQL.join(assignments.map { "\(ident: $0.column) = \($0.value)" }, separator: ", ")
    }
}
