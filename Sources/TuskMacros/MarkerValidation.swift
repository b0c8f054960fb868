import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// The checks every property marker makes on the declaration it is attached to. Each marker
/// checks itself, so a misplaced marker is reported once, at the marker, also in a struct that is
/// not a `@Model`.
enum MarkerValidation {
    /// Diagnoses `marker` (spelled by `attribute`) when `declaration` is not a stored instance
    /// property, or when the marker's own rules are broken.
    static func validate(
        _ marker: PropertyMarker,
        attribute: AttributeSyntax,
        declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) {
        let spelling = "@\(marker.rawValue)"
        func error(_ id: String, _ message: String, at node: some SyntaxProtocol) {
            context.diagnose(Diagnostic(node: node, message: TuskDiagnostic(id, message)))
        }
        guard let variable = declaration.as(VariableDeclSyntax.self) else {
            error("markerNotOnProperty", "\(spelling) applies to a stored property", at: attribute)
            return
        }
        let names = variable.bindings.compactMap { $0.pattern.as(IdentifierPatternSyntax.self)?.identifier.unescapedText }
        let subject = names.map { "`\($0)`" }.joined(separator: ", ")
        if variable.isStatic {
            error("markerOnStatic", "\(spelling) applies to a stored instance property; \(subject) is static", at: attribute)
            return
        }
        if variable.bindings.contains(where: \.isComputed) {
            error("markerOnComputed", "\(spelling) applies to a stored property; \(subject) is computed", at: attribute)
            return
        }
        switch marker {
        case .column:
            validateColumnName(attribute, spelling: spelling, in: context)
        case .transient:
            let others = PropertyMarker.all(in: variable.attributes).filter { $0.0 != .transient }
            if let (other, _) = others.first {
                error("transientWithMarker",
                      "@Transient leaves \(subject) out of the table, so @\(other.rawValue) has no effect; remove one of them",
                      at: attribute)
            }
            if variable.bindings.contains(where: { !$0.hasDefaultValue(isLet: variable.isLet) }) {
                error("transientWithoutDefault",
                      "@Transient property \(subject) needs a default value: a row read from the database keeps it",
                      at: attribute)
            }
        case .id, .serverDefault, .json:
            break
        }
    }

    private static func validateColumnName(
        _ attribute: AttributeSyntax,
        spelling: String,
        in context: some MacroExpansionContext
    ) {
        guard let argument = attribute.arguments?.as(LabeledExprListSyntax.self)?.first?.expression else {
            context.diagnose(Diagnostic(node: attribute, message: TuskDiagnostic(
                "columnNameNotLiteral", "\(spelling) needs the column name as a string literal")))
            return
        }
        guard let name = argument.as(StringLiteralExprSyntax.self)?.literalValue else {
            context.diagnose(Diagnostic(node: argument, message: TuskDiagnostic(
                "columnNameNotLiteral", "\(spelling)'s column name must be a string literal, without interpolation")))
            return
        }
        if name.isEmpty {
            context.diagnose(Diagnostic(node: argument, message: TuskDiagnostic(
                "columnNameEmpty", "\(spelling)'s column name must not be empty")))
        }
    }
}
