import SwiftParser
import SwiftSyntax

extension TokenSyntax {
    /// The identifier without the backticks that escape a keyword (`` `default` `` → `default`),
    /// as a column or property name.
    var unescapedText: String {
        let text = self.text
        guard text.count >= 2, text.hasPrefix("`"), text.hasSuffix("`") else { return text }
        return String(text.dropFirst().dropLast())
    }
}

extension VariableDeclSyntax {
    /// `static` or `class`.
    var isStatic: Bool {
        modifiers.contains { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) }
    }

    /// Declared with `let`.
    var isLet: Bool {
        bindingSpecifier.tokenKind == .keyword(.let)
    }
}

extension PatternBindingSyntax {
    /// A getter (or get/set), rather than storage, possibly with observers.
    var isComputed: Bool {
        guard let accessorBlock else { return false }
        switch accessorBlock.accessors {
        case .getter:
            return true
        case .accessors(let accessors):
            return accessors.contains { accessor in
                let kind = accessor.accessorSpecifier.tokenKind
                return kind != .keyword(.willSet) && kind != .keyword(.didSet)
            }
        }
    }

    /// An initial value, or `var x: T?`, which Swift initializes to nil (only the sugared
    /// spelling: `var x: Optional<T>` is not).
    func hasDefaultValue(isLet: Bool) -> Bool {
        if initializer != nil { return true }
        guard !isLet, let type = typeAnnotation?.type else { return false }
        return type.is(OptionalTypeSyntax.self) || type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self)
    }
}

extension TypeSyntax {
    /// The type as generated code spells it: `T!` as `T?` (an implicitly unwrapped optional is not
    /// a type a generic argument or `.self` may name).
    var generatedText: String {
        if let unwrapped = self.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            return "\(unwrapped.wrappedType.generatedText)?"
        }
        return trimmedDescription
    }

    /// `Related<…>` or `Tusk.Related<…>`: a relation, not a column.
    var isRelation: Bool {
        if let identifier = self.as(IdentifierTypeSyntax.self) {
            return identifier.name.text == "Related" && identifier.genericArgumentClause != nil
        }
        if let member = self.as(MemberTypeSyntax.self) {
            return member.name.text == "Related" && member.genericArgumentClause != nil
                && member.baseType.as(IdentifierTypeSyntax.self)?.name.text == "Tusk"
        }
        return false
    }
}

extension ExprSyntax {
    /// `Related<…>()`, `Tusk.Related<…>()` or `Related()`: a relation's initial value.
    var isRelationInitializer: Bool {
        guard let call = self.as(FunctionCallExprSyntax.self) else { return false }
        var callee = call.calledExpression
        if let specialized = callee.as(GenericSpecializationExprSyntax.self) { callee = specialized.expression }
        if let reference = callee.as(DeclReferenceExprSyntax.self) { return reference.baseName.text == "Related" }
        if let member = callee.as(MemberAccessExprSyntax.self) {
            return member.declName.baseName.text == "Related"
                && member.base?.as(DeclReferenceExprSyntax.self)?.baseName.text == "Tusk"
        }
        return false
    }
}

extension StringLiteralExprSyntax {
    /// The string a literal without interpolation spells, escapes resolved; nil for one with
    /// interpolation, which has no value at compile time.
    var literalValue: String? {
        representedLiteralValue
    }
}
