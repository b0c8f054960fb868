import Foundation
import TuskModel

// Real `@Model` structs, expanded by the compiler: that this file compiles is half the test.
// They are public so the generated public members are checked too.

public struct CompiledSettings: Codable, Sendable, Equatable {
    public var theme: String
}

public enum CompiledStatus: String, Codable, Sendable {
    case active, banned
}

public struct CompiledPost: Codable, Sendable {
    public var title: String
}

public struct CompiledAuthor: Codable, Sendable {
    public var name: String
}

@Model(table: "users", schema: "app")
public struct CompiledUser {
    @ID @ServerDefault public var id: Int64?
    public var email: String
    @Column("display_name") public var name: String
    @JSON public var settings: CompiledSettings
    public var status: CompiledStatus
    @ServerDefault public var createdAt: Date?
    @Transient public var cache: Int = 0
    public var posts = Related<[CompiledPost]>()
    public var author: Related<CompiledAuthor?>
    public var computed: String { email }
    public static let shared = 1
}

@Model(table: "accounts")
struct CompiledAccount {
    @ID var tenantID: Int64
    @ID var number: Int64
    var email: String
}

@Model(table: "kinds")
struct CompiledKinds {
    var id: UUID
    var tags: [String]
    var maybeTags: [String]?
    var blob: Data
    var amount: Decimal
    var seenAt: Date?
    var count: Int32
    var active: Bool
    @JSON var meta: [String: Int]?
}

/// Declares `Model` itself: the macro adds the members and no second conformance.
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
