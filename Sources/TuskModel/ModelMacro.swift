/// Makes a struct a ``Tusk/Model`` whose columns, key paths and row codecs are worked out at
/// compile time: ``Tusk/Model/modelColumns``, ``Tusk/Model/init(modelRow:)``,
/// ``Tusk/Model/encodeModelRow(into:)``, a `Columns` enum of the columns' key paths, and the
/// table's name, schema, primary key and server-generated columns.
///
/// ```swift
/// @Model(table: "users")
/// struct User {
///     @ID @ServerDefault var id: Int64?
///     var email: String
///     @Column("display_name") var name: String
///     @JSON var settings: Settings
///     @ServerDefault var createdAt: Date?
///     @Transient var cache: Int = 0
///     var posts = Related<[Post]>()
/// }
/// ```
///
/// Columns are the stored instance properties, in declaration order, except `@Transient` ones
/// and `Related` relations; each needs an explicit type. A column's name is its `@Column` name,
/// else its `CodingKeys` string (when the struct declares `CodingKeys`) or its property name, in
/// snake_case. The primary key is the `@ID` properties, or the property `id`; several `@ID`s
/// make a composite key, for which the macro also generates a nested `ID` struct and `var id`.
/// Members the struct declares itself (`tableName`, `schemaName`, `primaryKey`,
/// `serverGenerated`, `id`) are left as they are.
///
/// `Codable` is synthesized as for any struct (the generated conformance implies it), with the
/// property names as keys: an API's JSON is unaffected by the column names.
///
/// - Parameters:
///   - table: The table name, unquoted.
///   - schema: The schema, or nil for the search path.
@attached(
    extension,
    conformances: Tusk.Model,
    names: named(tableName), named(schemaName), named(primaryKey), named(serverGenerated),
    named(modelColumns), named(init(modelRow:)), named(encodeModelRow(into:)), named(Columns),
    named(ID), named(id), named(keyMapping)
)
public macro Model(table: String, schema: String? = nil) = #externalMacro(module: "TuskMacros", type: "ModelMacro")

/// `@Model` for a struct that declares its own `static var tableName`.
///
/// - Parameter schema: The schema, or nil for the search path.
@attached(
    extension,
    conformances: Tusk.Model,
    names: named(tableName), named(schemaName), named(primaryKey), named(serverGenerated),
    named(modelColumns), named(init(modelRow:)), named(encodeModelRow(into:)), named(Columns),
    named(ID), named(id), named(keyMapping)
)
public macro Model(schema: String? = nil) = #externalMacro(module: "TuskMacros", type: "ModelMacro")
