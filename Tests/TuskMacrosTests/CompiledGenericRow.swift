import TuskModel

/// A generic model: inside its extension, `CompiledGenericRow` names the specialization in
/// context, so the generated key paths and column list need no generic arguments.
@Model(table: "generic_rows")
struct CompiledGenericRow<Payload: Codable & Sendable> {
    var id: Int64
    @JSON var payload: Payload
}
