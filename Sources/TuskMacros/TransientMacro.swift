import SwiftSyntax
import SwiftSyntaxMacros

/// `@Transient`: leaves a property out of the table. It generates nothing; `@Model` reads it. It only checks where it is used.
public struct TransientMacro: PeerMacro {
    /// Checks the marker's use and adds no declarations.
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        MarkerValidation.validate(.transient, attribute: node, declaration: declaration, in: context)
        return []
    }
}
