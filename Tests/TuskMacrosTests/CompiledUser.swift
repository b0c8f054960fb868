import Foundation
import TuskModel

/// The example, expanded by the compiler: public, so the generated public members are
/// checked too. Its value types are nested, one type to a file.
@Model(table: "users", schema: "app")
public struct CompiledUser {
    /// A `jsonb` column's value.
    public struct Settings: Codable, Sendable, Equatable {
        public var theme: String
    }

    /// A text column's value, through its raw value.
    public enum Status: String, Codable, Sendable {
        case active, banned
    }

    /// A has-many relation's row.
    public struct Post: Codable, Sendable {
        public var title: String
    }

    /// A belongs-to relation's row.
    public struct Author: Codable, Sendable {
        public var name: String
    }

    @ID @ServerDefault public var id: Int64?
    public var email: String
    @Column("display_name") public var name: String
    @JSON public var settings: Settings
    public var status: Status
    @ServerDefault public var createdAt: Date?
    @Transient public var cache: Int = 0
    public var posts = Related<[Post]>()
    public var author: Related<Author?>
    public var computed: String { email }
    public static let shared = 1
    // Internal: its `Columns` key path must not be public.
    var note: String
}
