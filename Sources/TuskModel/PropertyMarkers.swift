/// Names a `@Model` property's column, instead of the property name in snake_case.
///
/// ```swift
/// @Column("display_name") var name: String
/// ```
///
/// - Parameter name: The column name, unquoted: a non-empty string literal.
@attached(peer)
public macro Column(_ name: String) = #externalMacro(module: "TuskMacros", type: "ColumnMacro")

/// Marks a primary-key column of a `@Model`; several make a composite key. Without any,
/// the property `id` is the key.
@attached(peer)
public macro ID() = #externalMacro(module: "TuskMacros", type: "IDMacro")

/// Marks a column the server fills when the model leaves it nil on insert (a serial or identity
/// id, `DEFAULT now()`, a generated column), so Tusk reads it back: it goes in
/// ``Tusk/Model/serverGenerated``.
@attached(peer)
public macro ServerDefault() = #externalMacro(module: "TuskMacros", type: "ServerDefaultMacro")

/// Stores a `@Model` property as `jsonb`, encoded and decoded with `Codable`.
@attached(peer)
public macro JSON() = #externalMacro(module: "TuskMacros", type: "JSONMacro")

/// Leaves a `@Model` property out of the table: never read or written. It needs a default value,
/// which a row read from the database keeps.
@attached(peer)
public macro Transient() = #externalMacro(module: "TuskMacros", type: "TransientMacro")
