import SwiftSyntax
import SwiftSyntaxMacros

/// `@ServerDefault`: marks a column the server fills. It generates nothing; `@Model` reads it. It only checks where it is used.
public struct ServerDefaultMacro: PeerMacro {
    /// Checks the marker's use and adds no declarations.
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        MarkerValidation.validate(.serverDefault, attribute: node, declaration: declaration, in: context)
        return []
    }
}
