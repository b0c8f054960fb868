import MacroTesting
import Testing

/// What `@Model` expands to. The expected expansions were recorded (swift-macro-testing records a
/// missing one; `SNAPSHOT_TESTING_RECORD=failed` re-records), then read line by line.
@Suite(.macros(TestMacros.all))
struct ModelMacroTests {
    @Test func userExample() {
        assertMacro {
            """
            @Model(table: "users", schema: "app")
            public struct User {
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
            }
            """
        } expansion: {
            #"""
            public struct User {
                public var id: Int64?
                public var email: String
                public var name: String
                public var settings: Settings
                public var status: Status
                public var createdAt: Date?
                public var cache: Int = 0
                public var posts = Related<[Post]>()
                public var author: Related<Author?>
                public var computed: String { email }
                public static let shared = 1
            }

            extension User: Tusk.Model {
                public static var tableName: String {
                    "users"
                }
                public static var schemaName: String? {
                    "app"
                }
                public static var primaryKey: [String] {
                    ["id"]
                }
                public static var serverGenerated: Set<String> {
                    ["id", "created_at"]
                }
                public static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                public static var modelColumns: [Tusk.ModelColumn<User>]? {
                    [
                        Tusk.ModelColumn("id", property: "id", keyPath: \User.id),
                        Tusk.ModelColumn("email", property: "email", keyPath: \User.email),
                        Tusk.ModelColumn("display_name", property: "name", keyPath: \User.name),
                        Tusk.ModelColumn("settings", property: "settings", keyPath: \User.settings),
                        Tusk.ModelColumn("status", property: "status", keyPath: \User.status),
                        Tusk.ModelColumn("created_at", property: "createdAt", keyPath: \User.createdAt),
                    ]
                }
                public init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.id = try reader.next()
                    self.email = try reader.next()
                    self.name = try reader.next()
                    self.settings = try reader.nextJSON()
                    self.status = try reader.next()
                    self.createdAt = try reader.next()
                    self.author = .init()
                }
                public func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.id, column: "id")
                    try writer.encode(self.email, column: "email")
                    try writer.encode(self.name, column: "display_name")
                    try writer.encodeJSON(self.settings, column: "settings")
                    try writer.encode(self.status, column: "status")
                    try writer.encode(self.createdAt, column: "created_at")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                public enum Columns {
                    public static let id = \User.id
                    public static let email = \User.email
                    public static let name = \User.name
                    public static let settings = \User.settings
                    public static let status = \User.status
                    public static let createdAt = \User.createdAt
                }
            }
            """#
        }
    }

    @Test func minimalModel() {
        assertMacro {
            """
            @Model(table: "tags")
            struct Tag {
                var id: Int64
                var name: String
            }
            """
        } expansion: {
            #"""
            struct Tag {
                var id: Int64
                var name: String
            }

            extension Tag: Tusk.Model {
                static var tableName: String {
                    "tags"
                }
                static var primaryKey: [String] {
                    ["id"]
                }
                static var serverGenerated: Set<String> {
                    []
                }
                static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                static var modelColumns: [Tusk.ModelColumn<Tag>]? {
                    [
                        Tusk.ModelColumn("id", property: "id", keyPath: \Tag.id),
                        Tusk.ModelColumn("name", property: "name", keyPath: \Tag.name),
                    ]
                }
                init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.id = try reader.next()
                    self.name = try reader.next()
                }
                func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.id, column: "id")
                    try writer.encode(self.name, column: "name")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                enum Columns {
                    static let id = \Tag.id
                    static let name = \Tag.name
                }
            }
            """#
        }
    }

    @Test func customCodingKeys() {
        assertMacro {
            """
            @Model(table: "people")
            struct Person {
                var id: UUID
                var fullName: String
                var homeURL: URL?
                var nickname: String = ""
                @Column("years") var age: Int32
                let note: String = "fixed"

                enum CodingKeys: String, CodingKey {
                    case id
                    case fullName = "name"
                    case homeURL = "homePage"
                    case age
                }
            }
            """
        } expansion: {
            #"""
            struct Person {
                var id: UUID
                var fullName: String
                var homeURL: URL?
                var nickname: String = ""
                var age: Int32
                let note: String = "fixed"

                enum CodingKeys: String, CodingKey {
                    case id
                    case fullName = "name"
                    case homeURL = "homePage"
                    case age
                }
            }

            extension Person: Tusk.Model {
                static var tableName: String {
                    "people"
                }
                static var primaryKey: [String] {
                    ["id"]
                }
                static var serverGenerated: Set<String> {
                    []
                }
                static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                static var modelColumns: [Tusk.ModelColumn<Person>]? {
                    [
                        Tusk.ModelColumn("id", property: "id", keyPath: \Person.id),
                        Tusk.ModelColumn("name", property: "fullName", keyPath: \Person.fullName),
                        Tusk.ModelColumn("home_page", property: "homeURL", keyPath: \Person.homeURL),
                        Tusk.ModelColumn("years", property: "age", keyPath: \Person.age),
                    ]
                }
                init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.id = try reader.next()
                    self.fullName = try reader.next()
                    self.homeURL = try reader.next()
                    self.age = try reader.next()
                }
                func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.id, column: "id")
                    try writer.encode(self.fullName, column: "name")
                    try writer.encode(self.homeURL, column: "home_page")
                    try writer.encode(self.age, column: "years")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                enum Columns {
                    static let id = \Person.id
                    static let fullName = \Person.fullName
                    static let homeURL = \Person.homeURL
                    static let age = \Person.age
                }
            }
            """#
        }
    }

    @Test func compositeKey() {
        assertMacro {
            """
            @Model(table: "accounts")
            public struct Account {
                @ID public var tenantID: Int64
                @ID public var number: Int64
                public var email: String
                public var balance: Int64
            }
            """
        } expansion: {
            #"""
            public struct Account {
                public var tenantID: Int64
                public var number: Int64
                public var email: String
                public var balance: Int64
            }

            extension Account: Tusk.Model {
                public static var tableName: String {
                    "accounts"
                }
                public static var primaryKey: [String] {
                    ["tenant_id", "number"]
                }
                public static var serverGenerated: Set<String> {
                    []
                }
                public static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                public static var modelColumns: [Tusk.ModelColumn<Account>]? {
                    [
                        Tusk.ModelColumn("tenant_id", property: "tenantID", keyPath: \Account.tenantID),
                        Tusk.ModelColumn("number", property: "number", keyPath: \Account.number),
                        Tusk.ModelColumn("email", property: "email", keyPath: \Account.email),
                        Tusk.ModelColumn("balance", property: "balance", keyPath: \Account.balance),
                    ]
                }
                public init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.tenantID = try reader.next()
                    self.number = try reader.next()
                    self.email = try reader.next()
                    self.balance = try reader.next()
                }
                public func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.tenantID, column: "tenant_id")
                    try writer.encode(self.number, column: "number")
                    try writer.encode(self.email, column: "email")
                    try writer.encode(self.balance, column: "balance")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                public enum Columns {
                    public static let tenantID = \Account.tenantID
                    public static let number = \Account.number
                    public static let email = \Account.email
                    public static let balance = \Account.balance
                }
                /// The composite primary key's values, encoded with its column names.
                public struct ID: Hashable, Encodable, Sendable {
                    public var tenantID: Int64
                    public var number: Int64

                    public init(tenantID: Int64, number: Int64) {
                        self.tenantID = tenantID
                        self.number = number
                    }

                    enum CodingKeys: String, CodingKey {
                        case tenantID = "tenant_id"
                        case number = "number"
                    }
                }
                /// This row's composite primary key.
                public var id: ID {
                    ID(tenantID: tenantID, number: number)
                }
            }
            """#
        }
    }

    @Test func singleKeyNotNamedID() {
        assertMacro {
            """
            @Model(table: "sessions")
            package struct LoginSession {
                @ID let token: String
                var userID: Int64
            }
            """
        } expansion: {
            #"""
            package struct LoginSession {
                let token: String
                var userID: Int64
            }

            extension LoginSession: Tusk.Model {
                package static var tableName: String {
                    "sessions"
                }
                package static var primaryKey: [String] {
                    ["token"]
                }
                package static var serverGenerated: Set<String> {
                    []
                }
                package static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                package static var modelColumns: [Tusk.ModelColumn<LoginSession>]? {
                    [
                        Tusk.ModelColumn("token", property: "token", keyPath: \LoginSession.token),
                        Tusk.ModelColumn("user_id", property: "userID", keyPath: \LoginSession.userID),
                    ]
                }
                package init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.token = try reader.next()
                    self.userID = try reader.next()
                }
                package func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.token, column: "token")
                    try writer.encode(self.userID, column: "user_id")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                package enum Columns {
                    static let token = \LoginSession.token
                    static let userID = \LoginSession.userID
                }
                /// The primary key, "token".
                package var id: String {
                    self.token
                }
            }
            """#
        }
    }

    @Test func membersTheStructDeclaresAreNotGenerated() {
        assertMacro {
            """
            @Model
            struct Event {
                static let tableName = "events"
                static let schemaName: String? = "audit"
                static let primaryKey = ["tenant_id", "seq"]
                static let serverGenerated: Set<String> = []
                var tenantID: Int64
                var seq: Int64
                var id: Key { Key(tenantID: tenantID, seq: seq) }
                struct Key: Hashable, Encodable, Sendable {
                    var tenantID: Int64
                    var seq: Int64
                }
            }
            """
        } expansion: {
            #"""
            struct Event {
                static let tableName = "events"
                static let schemaName: String? = "audit"
                static let primaryKey = ["tenant_id", "seq"]
                static let serverGenerated: Set<String> = []
                var tenantID: Int64
                var seq: Int64
                var id: Key { Key(tenantID: tenantID, seq: seq) }
                struct Key: Hashable, Encodable, Sendable {
                    var tenantID: Int64
                    var seq: Int64
                }
            }

            extension Event: Tusk.Model {
                static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                static var modelColumns: [Tusk.ModelColumn<Event>]? {
                    [
                        Tusk.ModelColumn("tenant_id", property: "tenantID", keyPath: \Event.tenantID),
                        Tusk.ModelColumn("seq", property: "seq", keyPath: \Event.seq),
                    ]
                }
                init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.tenantID = try reader.next()
                    self.seq = try reader.next()
                }
                func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.tenantID, column: "tenant_id")
                    try writer.encode(self.seq, column: "seq")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                enum Columns {
                    static let tenantID = \Event.tenantID
                    static let seq = \Event.seq
                }
            }
            """#
        }
    }

    @Test func typesAreWrittenSoTheyParseAsExpressions() {
        assertMacro {
            """
            @Model(table: "things")
            struct Thing {
                var id: Int64?
                var legacy: Int32!
                var tags: [String]
                var maybeTags: [String]?
                var counts: [String: Int]
                var nested: Outer.Inner?
                var boxed: Optional<Box<Int>>
                var matrix: [[Double]]
                @JSON var payload: (any Payload)?
                @JSON var blob: [String: [Int]]?
                var `default`: Bool, flag: Bool
                var a, b: Int16
                var observed: Int = 0 {
                    didSet { print(observed) }
                }
            }
            """
        } expansion: {
            #"""
            struct Thing {
                var id: Int64?
                var legacy: Int32!
                var tags: [String]
                var maybeTags: [String]?
                var counts: [String: Int]
                var nested: Outer.Inner?
                var boxed: Optional<Box<Int>>
                var matrix: [[Double]]
                var payload: (any Payload)?
                var blob: [String: [Int]]?
                var `default`: Bool, flag: Bool
                var a, b: Int16
                var observed: Int = 0 {
                    didSet { print(observed) }
                }
            }

            extension Thing: Tusk.Model {
                static var tableName: String {
                    "things"
                }
                static var primaryKey: [String] {
                    ["id"]
                }
                static var serverGenerated: Set<String> {
                    []
                }
                static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                static var modelColumns: [Tusk.ModelColumn<Thing>]? {
                    [
                        Tusk.ModelColumn("id", property: "id", keyPath: \Thing.id),
                        Tusk.ModelColumn("legacy", property: "legacy", keyPath: \Thing.legacy),
                        Tusk.ModelColumn("tags", property: "tags", keyPath: \Thing.tags),
                        Tusk.ModelColumn("maybe_tags", property: "maybeTags", keyPath: \Thing.maybeTags),
                        Tusk.ModelColumn("counts", property: "counts", keyPath: \Thing.counts),
                        Tusk.ModelColumn("nested", property: "nested", keyPath: \Thing.nested),
                        Tusk.ModelColumn("boxed", property: "boxed", keyPath: \Thing.boxed),
                        Tusk.ModelColumn("matrix", property: "matrix", keyPath: \Thing.matrix),
                        Tusk.ModelColumn("payload", property: "payload", keyPath: \Thing.payload),
                        Tusk.ModelColumn("blob", property: "blob", keyPath: \Thing.blob),
                        Tusk.ModelColumn("default", property: "default", keyPath: \Thing.`default`),
                        Tusk.ModelColumn("flag", property: "flag", keyPath: \Thing.flag),
                        Tusk.ModelColumn("a", property: "a", keyPath: \Thing.a),
                        Tusk.ModelColumn("b", property: "b", keyPath: \Thing.b),
                        Tusk.ModelColumn("observed", property: "observed", keyPath: \Thing.observed),
                    ]
                }
                init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.id = try reader.next()
                    self.legacy = try reader.next()
                    self.tags = try reader.next()
                    self.maybeTags = try reader.next()
                    self.counts = try reader.next()
                    self.nested = try reader.next()
                    self.boxed = try reader.next()
                    self.matrix = try reader.next()
                    self.payload = try reader.nextJSON()
                    self.blob = try reader.nextJSON()
                    self.`default` = try reader.next()
                    self.flag = try reader.next()
                    self.a = try reader.next()
                    self.b = try reader.next()
                    self.observed = try reader.next()
                }
                func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.id, column: "id")
                    try writer.encode(self.legacy, column: "legacy")
                    try writer.encode(self.tags, column: "tags")
                    try writer.encode(self.maybeTags, column: "maybe_tags")
                    try writer.encode(self.counts, column: "counts")
                    try writer.encode(self.nested, column: "nested")
                    try writer.encode(self.boxed, column: "boxed")
                    try writer.encode(self.matrix, column: "matrix")
                    try writer.encodeJSON(self.payload, column: "payload")
                    try writer.encodeJSON(self.blob, column: "blob")
                    try writer.encode(self.`default`, column: "default")
                    try writer.encode(self.flag, column: "flag")
                    try writer.encode(self.a, column: "a")
                    try writer.encode(self.b, column: "b")
                    try writer.encode(self.observed, column: "observed")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                enum Columns {
                    static let id = \Thing.id
                    static let legacy = \Thing.legacy
                    static let tags = \Thing.tags
                    static let maybeTags = \Thing.maybeTags
                    static let counts = \Thing.counts
                    static let nested = \Thing.nested
                    static let boxed = \Thing.boxed
                    static let matrix = \Thing.matrix
                    static let payload = \Thing.payload
                    static let blob = \Thing.blob
                    static let `default` = \Thing.`default`
                    static let flag = \Thing.flag
                    static let a = \Thing.a
                    static let b = \Thing.b
                    static let observed = \Thing.observed
                }
            }
            """#
        }
    }

    @Test func schemaNilAndQualifiedRelation() {
        assertMacro {
            """
            @Model(table: "posts", schema: nil)
            struct Post {
                var id: Int64?
                var author: Tusk.Related<Author?>
                var tags = Tusk.Related<[Tag]>()
                var plain = Related()
            }
            """
        } expansion: {
            #"""
            struct Post {
                var id: Int64?
                var author: Tusk.Related<Author?>
                var tags = Tusk.Related<[Tag]>()
                var plain = Related()
            }

            extension Post: Tusk.Model {
                static var tableName: String {
                    "posts"
                }
                static var primaryKey: [String] {
                    ["id"]
                }
                static var serverGenerated: Set<String> {
                    []
                }
                static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                static var modelColumns: [Tusk.ModelColumn<Post>]? {
                    [
                        Tusk.ModelColumn("id", property: "id", keyPath: \Post.id),
                    ]
                }
                init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.id = try reader.next()
                    self.author = .init()
                }
                func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.id, column: "id")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                enum Columns {
                    static let id = \Post.id
                }
            }
            """#
        }
    }

    @Test func keyPathsAreNoMoreVisibleThanTheirProperties() {
        assertMacro {
            """
            @Model(table: "secrets")
            public struct Secret {
                public var id: Int64
                var owner: String
                private var hash: String
                public private(set) var version: Int
            }
            """
        } expansion: {
            #"""
            public struct Secret {
                public var id: Int64
                var owner: String
                private var hash: String
                public private(set) var version: Int
            }

            extension Secret: Tusk.Model {
                public static var tableName: String {
                    "secrets"
                }
                public static var primaryKey: [String] {
                    ["id"]
                }
                public static var serverGenerated: Set<String> {
                    []
                }
                public static var keyMapping: Tusk.KeyMapping {
                    .useKeys
                }
                public static var modelColumns: [Tusk.ModelColumn<Secret>]? {
                    [
                        Tusk.ModelColumn("id", property: "id", keyPath: \Secret.id),
                        Tusk.ModelColumn("owner", property: "owner", keyPath: \Secret.owner),
                        Tusk.ModelColumn("hash", property: "hash", keyPath: \Secret.hash),
                        Tusk.ModelColumn("version", property: "version", keyPath: \Secret.version),
                    ]
                }
                public init(modelRow reader: inout Tusk.ModelRowReader) throws {
                    self.id = try reader.next()
                    self.owner = try reader.next()
                    self.hash = try reader.next()
                    self.version = try reader.next()
                }
                public func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws {
                    try writer.encode(self.id, column: "id")
                    try writer.encode(self.owner, column: "owner")
                    try writer.encode(self.hash, column: "hash")
                    try writer.encode(self.version, column: "version")
                }
                /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
                public enum Columns {
                    public static let id = \Secret.id
                    static let owner = \Secret.owner
                    fileprivate static let hash = \Secret.hash
                    public static let version = \Secret.version
                }
            }
            """#
        }
    }
}
