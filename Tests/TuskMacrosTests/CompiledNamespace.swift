import TuskModel

/// A model nested in another type: the extension and its key paths name it `CompiledNamespace.Row`.
enum CompiledNamespace {
    @Model(table: "rows")
    struct Row {
        var id: Int64
    }
}
