import SwiftSyntax
import SwiftSyntaxMacros

/// `@JSON`: stores a property as jsonb. It generates nothing; `@Model` reads it. It only checks where it is used.
public struct JSONMacro: PeerMacro {
    /// Checks the marker's use and adds no declarations.
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        MarkerValidation.validate(.json, attribute: node, declaration: declaration, in: context)
        return []
    }
}
