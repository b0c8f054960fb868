import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that serves `@Model` and its property markers.
@main
struct TuskMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [
        ModelMacro.self,
        ColumnMacro.self,
        IDMacro.self,
        ServerDefaultMacro.self,
        JSONMacro.self,
        TransientMacro.self,
    ]
}
