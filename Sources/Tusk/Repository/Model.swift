/// A table row as a Swift value: declare it once, and sessions and repositories read, write,
/// track and bulk-load it.
///
/// ```swift
/// struct User: Model {
///     static let tableName = "users"
///     var id: Int64?          // bigserial: nil until the server assigns it
///     var email: String
///     var displayName: String // column display_name
///     var createdAt: Date?    // DEFAULT now()
///     static let serverGenerated: Set<String> = ["id", "created_at"]
/// }
/// ```
///
/// Properties map to columns by ``keyMapping`` (camelCase → snake_case by default). A property
/// whose type is a `Codable` struct is stored as `jsonb`; enums with raw values store their raw
/// value.
public protocol Model: Codable, Sendable {
    /// The value that identifies a row: one column's type (`Int64`, `UUID`, …), or, for a
    /// composite key, an `Encodable` struct whose properties are the key columns.
    associatedtype ID: Encodable & Sendable

    /// The table name (unquoted; Tusk quotes it).
    static var tableName: String { get }
    /// The schema, or nil for the search path. Default nil.
    static var schemaName: String? { get }
    /// The primary-key columns. Default `["id"]`.
    static var primaryKey: [String] { get }
    /// How property names map to columns. Default ``KeyMapping/snakeCase``.
    static var keyMapping: KeyMapping { get }
    /// Columns the server fills when the model leaves them nil on insert (identity/serial ids,
    /// `DEFAULT now()`); they are read back. Default: the primary key.
    static var serverGenerated: Set<String> { get }

    /// This row's identity.
    var id: ID { get }
}

extension Model {
    /// No schema: the search path decides.
    public static var schemaName: String? { nil }
    /// `["id"]`.
    public static var primaryKey: [String] { ["id"] }
    /// camelCase → snake_case.
    public static var keyMapping: KeyMapping { .snakeCase }
    /// The primary key: a nil key is left to the server.
    public static var serverGenerated: Set<String> { Set(primaryKey) }

    /// The quoted, schema-qualified table name: `"app"."users"`.
    static var tableSQL: SQL {
        "\(ident: schemaName, tableName)"
    }

    /// A readable name for errors: `app.users` or `users`.
    static var entityName: String {
        schemaName.map { "\($0).\(tableName)" } ?? tableName
    }
}
