import SwiftSyntax
import SwiftSyntaxMacros

/// `@ID`: marks a primary-key column. It generates nothing; `@Model` reads it. It only checks where it is used.
public struct IDMacro: PeerMacro {
    /// Checks the marker's use and adds no declarations.
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        MarkerValidation.validate(.id, attribute: node, declaration: declaration, in: context)
        return []
    }
}
