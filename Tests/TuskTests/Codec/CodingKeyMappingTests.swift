import Foundation
import Testing
@testable import Tusk

/// Key paths map to the columns a model's coding keys name, not to its property names.
@Suite struct CodingKeyMappingTests {
    enum Plan: String, Codable, Sendable, CaseIterable { case free, paid }
    enum Mood: String, Codable, Sendable { case calm, busy }  // not CaseIterable

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
        var mood: Mood
        var nickname: String

        enum CodingKeys: String, CodingKey {
            case id
            case email = "email_address"
            case mood
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

    @Test func pastAnUnconjurablePropertyARenamingModelMapsNothingRatherThanAGuess() throws {
        let schema = ModelSchema.of(Partial.self)
        #expect(schema.column(for: \Partial.email) == "email_address")
        #expect(schema.column(for: \Partial.nickname) == nil, "never the wrong column \"nickname\"")
        let error = #expect(throws: RepositoryError.self) { try (\Partial.nickname == "n").build() }
        #expect(error?.message.contains("CaseIterable") == true)
    }

    @Test func synthesizedKeysStillMapThroughTheKeyMapping() {
        let schema = ModelSchema.of(Plain.self)
        #expect(schema.column(for: \Plain.displayName) == "display_name")
        #expect(schema.column(for: \Plain.mood) == "mood")
        #expect(schema.column(for: \Plain.lastSeen) == "last_seen", "after a non-CaseIterable enum, synthesized keys are the names")
    }
}
