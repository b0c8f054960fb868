import TuskModel

/// A composite key, as `CompositeKeyTests.Account` declares by hand: the macro writes its `ID`.
@Model(table: "accounts")
struct CompiledAccount {
    @ID var tenantID: Int64
    @ID var number: Int64
    var email: String
}
