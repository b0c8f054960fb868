import Foundation
import Testing
@testable import Tusk

@Suite struct RowEncoderTests {
    enum Status: String, Codable { case active, banned }
    struct Address: Codable, Equatable { var city: String }
    struct User: Codable {
        var id: Int64?
        var emailAddress: String
        var status: Status
        var address: Address
        var tags: [String]
        var nickname: String?
    }

    @Test func encodesEveryPropertyAsAColumn() throws {
        let user = User(id: nil, emailAddress: "a@b.c", status: .banned, address: Address(city: "Oslo"), tags: ["x"], nickname: nil)
        let row = try EncodedRow(encoding: user)
        #expect(row.columns == ["id", "email_address", "status", "address", "tags", "nickname"])
        #expect(row.field("id")?.bytes == nil)
        #expect(row.field("id")?.type == .int8)
        #expect(row.field("nickname")?.bytes == nil)
        #expect(row.field("nickname")?.type == .text)
        #expect(row.field("status")?.type == .unspecified)
        #expect(row.field("status")?.bytes == Array("banned".utf8))
        #expect(row.field("address")?.type == .jsonb)
        #expect(row.field("address")?.bytes == [1] + Array(#"{"city":"Oslo"}"#.utf8))
        #expect(row.field("tags")?.type == .textArray)
    }

    @Test func changedFieldsAreTheDiffOfEncodings() throws {
        var user = User(id: 1, emailAddress: "a@b.c", status: .active, address: Address(city: "Oslo"), tags: [], nickname: nil)
        let before = try EncodedRow(encoding: user)
        #expect(try EncodedRow(encoding: user).changedFields(since: before).isEmpty)
        user.nickname = "al"
        user.address.city = "Bergen"
        #expect(try EncodedRow(encoding: user).changedFields(since: before).map(\.column) == ["address", "nickname"])
    }

    @Test func encodingErrorsNameTheColumn() throws {
        struct Note: Codable { var body: String }
        let error = #expect(throws: PostgresEncodingError.self) { try EncodedRow(encoding: Note(body: "a\u{0}")) }
        #expect(error?.code == .nulInText)
        #expect(error?.column == "body")
    }

    @Test func keyMappingIsConfigurable() throws {
        struct Note: Codable { var bodyText: String }
        #expect(try EncodedRow(encoding: Note(bodyText: ""), keyMapping: .useKeys).columns == ["bodyText"])
    }
}

@Suite struct KeyMappingTests {
    @Test(arguments: [("createdAt", "created_at"), ("userID", "user_id"), ("myURLProperty", "my_url_property"),
                      ("id", "id"), ("already_snake", "already_snake"), ("a1B", "a1_b"), ("URL", "url")])
    func snakeCase(input: String, expected: String) {
        #expect(KeyMapping.snakeCase.column(for: input) == expected)
    }
}
