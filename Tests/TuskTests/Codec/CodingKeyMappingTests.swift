import Foundation
import Testing
@testable import Tusk

/// Key paths map to the columns a model's coding keys name, not to its property names.
@Suite struct CodingKeyMappingTests {
    enum Plan: String, Codable, Sendable, CaseIterable { case free, paid }
    enum Mood: String, Codable, Sendable { case calm, busy }  // not CaseIterable

    /// Refuses every placeholder the probe can offer: no instance of a model holding one can be
    /// conjured.
    struct Email: Codable, Sendable {
        var address: String
        init(from decoder: any Decoder) throws {
            address = try decoder.singleValueContainer().decode(String.self)
            guard address.contains("@") else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no @")) }
        }
    }

    struct Account: Model {
        static let tableName = "accounts"
        var id: Int64?
        var email: String
        var plan: Plan
        var signedUp: Date
        var tags: [String]
        var nickname: String?
        var cachedScore = 0  // left out of the coding keys: not a column

        enum CodingKeys: String, CodingKey {
            case id
            case email = "email_address"
            case plan = "billing_plan"
            case signedUp = "created"
            case tags
            case nickname = "nick"
        }
    }

    struct Partial: Model {
        static let tableName = "partials"
        var id: Int64?
        var email: String
        var contact: Email
        var nickname: String

        enum CodingKeys: String, CodingKey {
            case id
            case email = "email_address"
            case contact
            case nickname = "nick"
        }
    }

    struct Plain: Model {
        static let tableName = "plains"
        var id: Int64?
        var displayName: String
        var mood: Mood
        var lastSeen: Date?
    }

    @Test func customCodingKeysNameTheColumnsOfFiltersOrdersAndAssignments() throws {
        let schema = ModelSchema.of(Account.self)
        #expect(schema.column(for: \Account.email) == "email_address")
        #expect(schema.column(for: \Account.plan) == "billing_plan")
        #expect(schema.column(for: \Account.signedUp) == "created")
        #expect(schema.column(for: \Account.nickname) == "nick")
        #expect(schema.column(for: \Account.cachedScore) == nil, "not encoded, so not a column")
        #expect(try (\Account.email == "a@b.c").build().text == "\"email_address\" = $1")
        #expect(try Order<Account>.asc(\.signedUp).build().text.hasPrefix("\"created\""))
        #expect(try Assignment<Account>.build([.set(\.nickname, "x")]).text == "\"nick\" = $1")
        #expect(throws: RepositoryError.self) { try (\Account.cachedScore == 1).build() }
        #expect(try Order<Account>(column: "email_address").build().text.hasPrefix("\"email_address\""))
        #expect(throws: RepositoryError.self) { try Order<Account>(column: "email") }
    }

    @Test func aModelThatCannotBeConjuredMapsNoKeyPathRatherThanAGuess() throws {
        let schema = ModelSchema.of(Partial.self)
        #expect(schema.column(for: \Partial.email) == nil)
        #expect(schema.column(for: \Partial.nickname) == nil, "never the wrong column \"nickname\"")
        #expect(schema.columns == ["id", "email_address", "contact"], "the keys asked for before the probe stopped")
        let error = #expect(throws: RepositoryError.self) { try (\Partial.nickname == "n").build() }
        #expect(error?.message.contains("@Model") == true)
    }

    @Test func keyPathsNameTheirPropertyByOffsetAndTypeNotByReflection() throws {
        struct Shapes: Model {
            static let tableName = "shapes"
            struct Point: Codable, Sendable { var x: Int32; var y: Int32 }
            var id: Int64?
            var flag: Bool
            var origin: Point      // jsonb: \.origin.x shares its offset but not its type
            var weight: Int8
            var label: String?
            var ratio: Double
            var children = Related<[Shapes]>()
        }
        let schema = ModelSchema.of(Shapes.self)
        #expect(schema.columns == ["id", "flag", "origin", "weight", "label", "ratio"])
        #expect(schema.column(for: \Shapes.flag) == "flag")
        #expect(schema.column(for: \Shapes.origin) == "origin")
        #expect(schema.column(for: \Shapes.origin.x) == nil, "a nested property is no column")
        #expect(schema.column(for: \Shapes.weight) == "weight")
        #expect(schema.column(for: \Shapes.label) == "label")
        #expect(schema.column(for: \Shapes.ratio) == "ratio")
        #expect(schema.column(for: \Shapes.children) == nil)
        #expect(schema.column(for: \Shapes.label?.count) == nil)
    }

    @Test func synthesizedKeysStillMapThroughTheKeyMapping() {
        let schema = ModelSchema.of(Plain.self)
        #expect(schema.column(for: \Plain.displayName) == "display_name")
        #expect(schema.column(for: \Plain.mood) == "mood")
        #expect(schema.column(for: \Plain.lastSeen) == "last_seen", "after a non-CaseIterable enum, synthesized keys are the names")
    }
}
