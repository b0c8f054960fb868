import SwiftSyntax

/// One stored instance property of a `@Model` struct, as the macro sees it.
struct ModelProperty {
    /// The name, without escaping backticks: for strings (column and property names).
    let name: String
    /// The name as code spells it (`` `default` ``).
    let reference: String
    /// The declared type; for `var a, b: Int`, `a`'s is `Int` too.
    let type: TypeSyntax?
    /// Has an initial value, or is a `var` Swift initializes to nil.
    let hasDefault: Bool
    /// A `Related<…>` relation, by its type or its initializer.
    let isRelation: Bool
    /// Has an initializer (`= …`).
    let hasInitializer: Bool
    /// `lazy`: its getter is mutating, so it has no key path and cannot be a column.
    let isLazy: Bool
    /// Its declared access level.
    let access: AccessLevel
    /// The markers on its declaration.
    let markers: Set<PropertyMarker>
    /// The `@Column` name, when given as a non-empty literal.
    let columnName: String?
    /// Where to point a diagnostic about it.
    let node: Syntax

    /// The stored instance properties `members` declare, in declaration order: no static,
    /// computed, or `let`-with-a-value properties (those are never set by an initializer).
    static func all(in members: MemberBlockItemListSyntax) -> [ModelProperty] {
        members.flatMap { member -> [ModelProperty] in
            guard let variable = member.decl.as(VariableDeclSyntax.self), !variable.isStatic else { return [] }
            let markers = PropertyMarker.all(in: variable.attributes)
            let columnName = markers.first { $0.0 == .column }.flatMap { _, attribute in
                attribute.arguments?.as(LabeledExprListSyntax.self)?.first?.expression
                    .as(StringLiteralExprSyntax.self)?.literalValue
            }.flatMap { $0.isEmpty ? nil : $0 }
            let bindings = Array(variable.bindings)
            return bindings.indices.compactMap { index -> ModelProperty? in
                let binding = bindings[index]
                guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier,
                      !binding.isComputed,
                      !(variable.isLet && binding.initializer != nil)
                else { return nil }
                // In `var a, b: Int`, `a` takes the type of the next annotated binding.
                let type = binding.typeAnnotation?.type ?? (binding.initializer == nil
                    ? bindings[(index + 1)...].first { $0.typeAnnotation != nil }?.typeAnnotation?.type
                    : nil)
                return ModelProperty(
                    name: identifier.unescapedText,
                    reference: identifier.text,
                    type: type,
                    hasDefault: binding.hasDefaultValue(isLet: variable.isLet),
                    isRelation: type?.isRelation == true || binding.initializer?.value.isRelationInitializer == true,
                    hasInitializer: binding.initializer != nil,
                    isLazy: variable.modifiers.contains { $0.name.tokenKind == .keyword(.lazy) },
                    access: AccessLevel(variable.modifiers),
                    markers: Set(markers.map(\.0)),
                    columnName: columnName,
                    node: Syntax(binding.pattern)
                )
            }
        }
    }
}
