import Foundation
import Testing
@testable import Tusk

@Suite struct PageCursorTests {
    private func cursor(views: Int32 = 7, id: Int64 = 42) throws -> PageCursor {
        let row = try EncodedRow(encoding: Article(id: id, title: "t", views: views, authorID: UUID(), featured: false,
                                                   createdAt: Date(timeIntervalSince1970: 0)), keyMapping: .snakeCase)
        return PageCursor(fields: try ["views", "id"].map { try #require(row.field($0)) })
    }

    @Test func tokenRoundTrips() throws {
        let original = try cursor()
        #expect(!original.token.contains("=") && !original.token.contains("+") && !original.token.contains("/"), "URL-safe")
        let parsed = try PageCursor(token: original.token)
        #expect(parsed == original)
        #expect(parsed.fields == original.fields)
    }

    @Test func codableAsOneString() throws {
        let original = try cursor()
        let json = try JSONEncoder().encode(["next": original])
        #expect(String(decoding: json, as: UTF8.self) == "{\"next\":\"\(original.token)\"}")
        #expect(try JSONDecoder().decode([String: PageCursor].self, from: json)["next"] == original)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([String: PageCursor].self, from: Data(#"{"next":"bogus"}"#.utf8)) }
    }

    @Test func garbageIsInvalid() {
        for token in ["", "not base64!", "W10", String(repeating: "A", count: 5_000)] {
            let error = thrown(RequestParameterError.self) { _ = try PageCursor(token: token, parameter: "after") }
            #expect(error?.code == .invalidValue, "\(token.prefix(20))")
            #expect(error?.parameter == "after")
        }
    }

    @Test func forgedValuesOfTheWrongWidthAreRefused() throws {
        // An int8 that is 3 bytes long would reach the server as a bad binary value.
        let forged = #"[{"c":"id","t":20,"v":"AAAA"}]"#
        let token = Data(forged.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(thrown(RequestParameterError.self) { _ = try PageCursor(token: token) }?.code == .invalidValue)
        let unsupported = Data(#"[{"c":"id","t":3802,"v":"AAAA"}]"#.utf8).base64EncodedString()
        #expect(thrown(RequestParameterError.self) { _ = try PageCursor(token: unsupported) }?.code == .invalidValue, "jsonb")
    }

    @Test func aCursorFitsOnlyItsSortOrder() throws {
        let cursor = try cursor()
        let order: [Order<Article>] = [.desc(\.views), .asc(\.id)]
        #expect(try cursor.field(for: order[0], at: 0, of: 2).column == "views")
        #expect(thrown(RequestParameterError.self) { _ = try cursor.field(for: Order<Article>.asc(\.title), at: 0, of: 2) }?.code
                == .invalidValue)
        #expect(thrown(RequestParameterError.self) { _ = try cursor.field(for: order[0], at: 0, of: 1) } != nil, "other key count")
        // Same column name, another Swift type: the key path's type must match the cursor's.
        let retyped = try Order<Article>(column: "views")
        #expect(try cursor.field(for: retyped, at: 0, of: 2).type == .int4, "a run-time order has no type to check")
    }

    @Test func pagesEncodeAsPlainJSON() throws {
        let article = Article(id: 1, title: "t", views: 3, authorID: UUID(), featured: true, createdAt: Date(timeIntervalSince1970: 0))
        let page = Page(items: [article], total: 9, limit: 1, offset: 4)
        let decoded = try JSONDecoder().decode(Page<Article>.self, from: try JSONEncoder().encode(page))
        #expect(decoded == page)
        let keyset = KeysetPage(items: [article], next: try cursor())
        #expect(try JSONDecoder().decode(KeysetPage<Article>.self, from: try JSONEncoder().encode(keyset)) == keyset)
        let last = KeysetPage<Article>(items: [], next: nil)
        #expect(String(decoding: try JSONEncoder().encode(last), as: UTF8.self) == #"{"items":[]}"#)
    }
}
