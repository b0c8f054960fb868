import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Model`: an extension that makes a struct a `Tusk.Model` whose columns, key paths and
/// positional row codecs are worked out at compile time.
public struct ModelMacro: ExtensionMacro {
    /// The extension; none, with diagnostics, when the struct cannot be a model as written.
    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        guard let model = ModelDeclaration(declaration, attachedTo: node, type: type, in: context) else { return [] }
        // The compiler passes only the conformances the type lacks: a struct already declared
        // `: Model` gets the members alone. It spells the protocol `Model`, which a type of the
        // user's own could shadow, so the extension names it in full.
        let conformance = protocols.isEmpty ? "" : ": Tusk.Model"
        let source = "extension \(model.typeName)\(conformance) {\n\(model.memberSource)\n}"
        guard let extensionDecl = DeclSyntax(stringLiteral: source).as(ExtensionDeclSyntax.self) else {
            context.diagnose(Diagnostic(node: node, message: TuskDiagnostic(
                "internalError", "@Model generated code it could not parse; please report it")))
            return []
        }
        return [extensionDecl]
    }
}
