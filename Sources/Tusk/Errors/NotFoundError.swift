/// A row was required and none matched: `queryOne`, `getOne(where:)`, `scalar`.
public struct NotFoundError: Error, Sendable, CustomStringConvertible {
    /// What was looked for: a table or type name.
    public var entity: String
    /// The condition, as SQL text with placeholders (values are never shown).
    public var criteria: String

    /// Creates an error.
    public init(entity: String, criteria: String) {
        self.entity = entity
        self.criteria = criteria
    }

    /// `no users matched: "email" = $1`.
    public var description: String { "no \(entity) matched: \(criteria)" }
}

/// At most one row was expected and several matched: `getOneOrNone(where:)`.
public struct MultipleRowsError: Error, Sendable, CustomStringConvertible {
    /// What was looked for.
    public var entity: String
    /// The condition, as SQL text with placeholders.
    public var criteria: String
    /// How many rows matched (at least 2; Tusk stops reading after 2).
    public var count: Int

    /// Creates an error.
    public init(entity: String, criteria: String, count: Int) {
        self.entity = entity
        self.criteria = criteria
        self.count = count
    }

    /// `2 or more users matched where one was expected: …`.
    public var description: String { "\(count) or more \(entity) matched where at most one was expected: \(criteria)" }
}
