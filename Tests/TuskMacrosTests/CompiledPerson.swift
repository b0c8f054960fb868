import TuskModel

/// Declares `Model` and `CodingKeys` itself: the macro adds the members and no second
/// conformance, and the coding keys name the columns.
@Model(table: "people")
struct CompiledPerson: Model {
    var id: Int64
    var fullName: String
    var nickname: String = ""

    enum CodingKeys: String, CodingKey {
        case id
        case fullName = "name"
    }
}
