@testable import Tusk

/// A model with a renamed column (`email` is `email_address`) and server-generated columns, for the
/// statement-building tests of getOrUpsert and the service.
struct Member: Model {
    static let tableName = "members"
    static let serverGenerated: Set<String> = ["id", "created_at"]
    var id: Int64?
    var displayName: String
    var email: String
    var createdAt: Int64?
    enum CodingKeys: String, CodingKey { case id, displayName, email = "email_address", createdAt }
}
