import SwiftSyntax
import SwiftSyntaxMacroExpansion
import TuskMacros

/// The macros as `TuskModel` declares them, for `assertMacro`: `@Model` with the conformance the
/// compiler would ask for on a struct that does not declare it.
enum TestMacros {
    static let all: [String: MacroSpec] = [
        "Model": MacroSpec(
            type: ModelMacro.self,
            conformances: [TypeSyntax(MemberTypeSyntax(baseType: IdentifierTypeSyntax(name: .identifier("Tusk")), name: .identifier("Model")))]
        ),
        "Column": MacroSpec(type: ColumnMacro.self),
        "ID": MacroSpec(type: IDMacro.self),
        "ServerDefault": MacroSpec(type: ServerDefaultMacro.self),
        "JSON": MacroSpec(type: JSONMacro.self),
        "Transient": MacroSpec(type: TransientMacro.self),
    ]
}
