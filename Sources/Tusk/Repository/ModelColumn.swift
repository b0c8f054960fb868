/// One column of a model declared with `@Model`: the column's name, the stored property it holds,
/// and that property's key path. The macro writes the list, in declaration order; Tusk reads it
/// once per type instead of inspecting the type at run time.
///
/// You rarely spell one out: `@Model` generates ``Model/modelColumns``.
public struct ModelColumn<Root> {
    /// The column name, unquoted (Tusk quotes it).
    public let name: String
    /// The stored property's name.
    public let property: String
    /// The key path to the stored property.
    public let keyPath: PartialKeyPath<Root>

    /// A column `name` held by the stored property `property` at `keyPath`.
    public init(_ name: String, property: String, keyPath: PartialKeyPath<Root>) {
        self.name = name
        self.property = property
        self.keyPath = keyPath
    }
}
