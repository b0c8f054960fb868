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

    enum Flags: UInt64, Encodable { case low = 7, high = 0x8000_0000_0000_0001 }

    /// Wrappers that write a single unsigned value, as hand-written `encode(to:)` methods do.
    struct Hits: Encodable {
        var value: UInt64
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct Size: Encodable {
        var value: UInt
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    /// A generic wrapper (like `Tagged`): its `encode(value)` reaches the generic overload.
    struct Wrapped<Value: Encodable>: Encodable {
        var value: Value
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct Tally: Encodable {
        var flags: Flags = .low
        var hits = Hits(value: 1)
        var size = Size(value: 1)
        var total = Wrapped(value: UInt64(1))
        /// An optional goes through `encodeIfPresent` and the same single-value probe.
        var limit: UInt64? = 5
    }

    @Test func unsignedWrappersAboveInt64MaxAreOutOfRange() throws {
        let fits = Tally(hits: Hits(value: UInt64(Int64.max)), size: Size(value: 42), total: Wrapped(value: 9))
        let row = try EncodedRow(encoding: fits)
        #expect(row.field("flags")?.type == .int8)
        #expect(row.field("flags")?.bytes == [0, 0, 0, 0, 0, 0, 0, 7])
        #expect(row.field("hits")?.bytes == [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(row.field("size")?.bytes == [0, 0, 0, 0, 0, 0, 0, 42])
        #expect(row.field("total")?.type == .int8)
        #expect(row.field("total")?.bytes == [0, 0, 0, 0, 0, 0, 0, 9])
        #expect(row.field("limit")?.bytes == [0, 0, 0, 0, 0, 0, 0, 5])

        let tooLarge: [(Tally, String)] = [
            (Tally(flags: .high), "flags"),
            (Tally(hits: Hits(value: UInt64(Int64.max) + 1)), "hits"),
            (Tally(size: Size(value: UInt.max)), "size"),
            (Tally(total: Wrapped(value: UInt64.max)), "total"),
            (Tally(limit: UInt64.max), "limit"),
        ]
        for (tally, column) in tooLarge {
            let error = #expect(throws: PostgresEncodingError.self) { try EncodedRow(encoding: tally) }
            #expect(error?.code == .outOfRange)
            #expect(error?.column == column)
            #expect(error?.message.contains("int8") == true)
        }
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
