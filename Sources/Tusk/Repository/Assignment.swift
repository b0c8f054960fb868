/// One `column = expression` of an update or an upsert's `DO UPDATE`, built from key paths and
/// bound values, never from raw text.
///
/// ```swift
/// try await users.update(id: 42, set: [.set(\.displayName, "Ada"), .now(\.lastLogin)])
/// try await posts.updateWhere(\.id == postID, set: [.increment(\.views, by: 1)])
/// try await posts.upsert(post, matching: [\.slug], update: .columns([\.title]) + [.now(\.editedAt)])
/// ```
///
/// A key path must name a stored property of the model; anything else is a
/// ``RepositoryError/Code/unknownColumn`` error, and ``excluded(_:)`` outside an upsert an
/// ``RepositoryError/Code/invalidArgument`` one, both thrown before anything is sent.
public struct Assignment<M: Model>: Sendable {
    let column: String
    let value: Value
    let error: RepositoryError?

    /// What the column is set to; `EXCLUDED` only means something in an upsert.
    enum Value: Sendable {
        case expression(SQL)
        /// The column's current value plus a bound amount; the column is qualified in an upsert,
        /// where `EXCLUDED` has one of the same name.
        case increment(SQL)
        case excluded
    }

    private init(column: String, value: Value, error: RepositoryError? = nil) {
        self.column = column
        self.value = value
        self.error = error
    }

    private static func on<V>(_ keyPath: KeyPath<M, V>, _ value: Value) -> Assignment {
        let schema = ModelSchema.of(M.self)
        guard let column = schema.column(for: keyPath) else {
            return Assignment(column: "", value: .expression(SQL()), error: schema.unknownColumn(keyPath, of: M.self))
        }
        return Assignment(column: column, value: value)
    }

    /// Sets a stored property to a value (bound): `"display_name" = $1`.
    public static func set<V: PostgresEncodable>(_ keyPath: KeyPath<M, V>, _ value: V) -> Assignment {
        on(keyPath, .expression("\(value)"))
    }

    /// Sets a column to the server's `now()`, the transaction's start time: `"updated_at" = now()`.
    public static func now<V>(_ keyPath: KeyPath<M, V>) -> Assignment {
        on(keyPath, .expression("now()"))
    }

    /// Adds a bound amount to the column's current value: `"views" = "views" + $1`. A negative
    /// amount subtracts.
    public static func increment<V: PostgresEncodable & Numeric>(_ keyPath: KeyPath<M, V>, by amount: V) -> Assignment {
        on(keyPath, .increment("\(amount)"))
    }

    /// In an upsert's `DO UPDATE`, sets the column to the value the conflicting insert proposed:
    /// `"title" = EXCLUDED."title"`.
    public static func excluded<V>(_ keyPath: KeyPath<M, V>) -> Assignment {
        on(keyPath, .excluded)
    }

    /// Sets a column (named, and checked against the model) to a raw SQL expression:
    /// `.unsafeSQL("views", "views * 2")`. Interpolated values are bound, but the expression's
    /// text goes to the server as written: never build it from a user's input.
    public static func unsafeSQL(_ column: String, _ expression: SQL) -> Assignment {
        guard ModelSchema.of(M.self).columnSet.contains(column) else {
            return Assignment(column: column, value: .expression(SQL()),
                              error: RepositoryError(.unknownColumn, "\(M.entityName) has no column \(column.debugDescription)"))
        }
        return Assignment(column: column, value: .expression(expression))
    }

    /// The raw-fragment assignment, renamed so that its danger shows at the call site.
    @available(*, deprecated, renamed: "unsafeSQL(_:_:)")
    public static func sql(_ column: String, _ expression: SQL) -> Assignment {
        unsafeSQL(column, expression)
    }

    // MARK: - Internal

    /// The `SET` items of `assignments`, with what Tusk manages itself (`updated_at = now()`,
    /// `version = version + 1`) for the columns they leave alone.
    ///
    /// - Throws: ``RepositoryError`` for no assignment, an unknown column, a column set twice, or
    ///   `EXCLUDED` outside an upsert — before anything is sent.
    static func build(_ assignments: [Assignment]) throws -> SQL {
        guard !assignments.isEmpty else { throw RepositoryError(.invalidArgument, "an update needs at least one assignment") }
        let items = try render(assignments, upsertTarget: nil)
        let managed = ManagedColumns.of(M.self).updateAssignments(skipping: Set(assignments.map(\.column)))
        return SQL.join(items + managed, separator: ", ")
    }

    /// The `SET` items of `assignments` alone. `upsertTarget` is the table an upsert writes,
    /// which qualifies the current values there; nil in an update, where `EXCLUDED` is refused.
    static func render(_ assignments: [Assignment], upsertTarget: SQL?) throws -> [SQL] {
        var seen = Set<String>()
        return try assignments.map { assignment in
            if let error = assignment.error { throw error }
            guard seen.insert(assignment.column).inserted else {
                throw RepositoryError(.invalidArgument, "\(M.entityName).\(assignment.column) is assigned twice in one update")
            }
            switch assignment.value {
            case .expression(let expression):
                return "\(ident: assignment.column) = \(expression)"
            case .increment(let amount):
                let current: SQL = upsertTarget.map { "\($0).\(ident: assignment.column)" } ?? "\(ident: assignment.column)"
                return "\(ident: assignment.column) = \(current) + \(amount)"
            case .excluded:
                guard upsertTarget != nil else {
                    throw RepositoryError(.invalidArgument,
                                          "EXCLUDED.\(assignment.column) names the row an upsert proposed; it means nothing in an update")
                }
                return "\(ident: assignment.column) = EXCLUDED.\(ident: assignment.column)"
            }
        }
    }
}
