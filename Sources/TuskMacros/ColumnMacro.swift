import SwiftSyntax
import SwiftSyntaxMacros

/// `@Column`: names a property's column. It generates nothing; `@Model` reads it. It only checks where it is used.
public struct ColumnMacro: PeerMacro {
    /// Checks the marker's use and adds no declarations.
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        MarkerValidation.validate(.column, attribute: node, declaration: declaration, in: context)
        return []
    }
}
