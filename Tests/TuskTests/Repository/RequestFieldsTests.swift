import Foundation
import Testing
@testable import Tusk

@Suite struct RequestFieldsTests {
    // MARK: - Order

    @Test func orderFromSortString() throws {
        let orders = try articleFields.order("-created_at,+title,views", parameter: "sort")
        #expect(try orders.map { try $0.build().text } == [#""created_at" DESC"#, #""title" ASC"#, #""views" ASC"#])
    }

    @Test func orderFromFieldAndDirection() throws {
        #expect(try articleFields.order(field: "views", direction: "DESC").build().text == #""views" DESC"#)
        #expect(try articleFields.order(field: "views", direction: "asc").build().text == #""views" ASC"#)
    }

    @Test func orderRejectsNamesOutsideTheWhitelist() {
        let error = thrown(RequestParameterError.self) { _ = try articleFields.order("id; DROP TABLE articles", parameter: "sort") }
        #expect(error?.code == .unknownField)
        #expect(error?.parameter == "sort")
        // A column of the model that the whitelist leaves out is refused too.
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.order("id") }?.code == .unknownField)
    }

    @Test func orderRejectsEmptyKeysAndBadDirections() {
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.order("title,,views") }?.code == .invalidValue)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.order("-") }?.code == .invalidValue)
        let direction = thrown(RequestParameterError.self) {
            _ = try articleFields.order(field: "title", direction: "sideways", directionParameter: "dir")
        }
        #expect(direction?.code == .invalidValue)
        #expect(direction?.parameter == "dir")
    }

    // MARK: - Search

    @Test func searchFromRequest() throws {
        let sql = try articleFields.search("50%_off", in: ["title", "summary"], ignoringCase: true, parameter: "q").build()
        #expect(sql.text == #"("title" ILIKE $1 ESCAPE E'\\' OR "summary" ILIKE $2 ESCAPE E'\\')"#)
        #expect(sql.boundText(0) == #"%50\%\_off%"#)
    }

    @Test func searchRejectsUnknownNonTextAndNUL() {
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.search("x", in: ["body"]) }?.code == .unknownField)
        let number = thrown(RequestParameterError.self) { _ = try articleFields.search("x", in: ["views"], parameter: "q") }
        #expect(number?.code == .unknownField)
        #expect(number?.parameter == "q")
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.search("a\u{0}b", in: ["title"]) }?.code == .invalidValue)
    }

    // MARK: - Before / after

    @Test func beforeAndAfterParseDates() throws {
        let before = try articleFields.before("created_at", "2024-05-01T12:00:00Z").build()
        #expect(before.text == #""created_at" < $1"#)
        #expect(before.bindings.types == [.timestamptz])
        #expect(try articleFields.after("published_at", "2024-05-01", inclusive: true).text == #""published_at" >= $1"#)
        #expect(try articleFields.after("published_at", "2024-05-01T14:00:00.250+02:00").text == #""published_at" > $1"#)
    }

    @Test func datesParseAsISO8601() {
        #expect(Date(requestText: "2024-05-01T12:00:00Z") == Date(timeIntervalSince1970: 1_714_564_800))
        #expect(Date(requestText: "2024-05-01T14:00:00.500+02:00") == Date(timeIntervalSince1970: 1_714_564_800.5))
        #expect(Date(requestText: "2024-05-01") == Date(timeIntervalSince1970: 1_714_521_600))
        #expect(Date(requestText: "yesterday") == nil)
        #expect(Date(requestText: "") == nil)
    }

    @Test func beforeRejectsBadDatesAndNonDateFields() {
        let bad = thrown(RequestParameterError.self) { _ = try articleFields.before("created_at", "soon", parameter: "created_before") }
        #expect(bad?.code == .invalidValue)
        #expect(bad?.parameter == "created_before")
        #expect(bad?.message.contains("ISO 8601") == true)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.after("views", "2024-05-01") }?.code == .unknownField)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.after("nope", "2024-05-01") }?.parameter == "nope")
    }

    // MARK: - Collections

    @Test func inAndNotInParseEachValue() throws {
        let ids = try articleFields.in("views", ["1", "2", "3"]).build()
        #expect(ids.text == #""views" = ANY($1)"#)
        #expect(ids.bindings.types == [.int4Array])
        let authors = try articleFields.notIn("author", ["E621E1F8-C36C-495A-93FC-0C247A3E6E5F"]).build()
        #expect(authors.text == #"NOT ("author_id" = ANY($1))"#, "the public name maps to its column")
        #expect(authors.bindings.types == [.uuidArray])
        #expect(try articleFields.in("featured", ["true", "0"]).build().bindings.types == [.boolArray])
    }

    @Test func emptyCollectionsFromRequests() throws {
        #expect(try articleFields.in("views", []).text == "FALSE")
        #expect(try articleFields.notIn("views", []).text == "TRUE")
    }

    @Test func unparsableValuesNameTheParameter() {
        let number = thrown(RequestParameterError.self) { _ = try articleFields.in("views", ["1", "two"], parameter: "views[]") }
        #expect(number?.code == .invalidValue)
        #expect(number?.parameter == "views[]")
        #expect(number?.message.contains(#""two""#) == true)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.in("views", ["99999999999"]) }?.code == .invalidValue,
                "out of Int32's range")
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.in("author", ["not-a-uuid"]) }?.code == .invalidValue)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.in("featured", ["maybe"]) }?.code == .invalidValue)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.in("secret", ["1"]) }?.code == .unknownField)
    }

    @Test func hugeInputIsNotEchoed() {
        let huge = String(repeating: "x", count: 100_000)
        let error = thrown(RequestParameterError.self) { _ = try articleFields.in("views", [huge], parameter: huge) }
        #expect(error?.code == .invalidValue)
        #expect((error?.description.count ?? .max) < 300, "the message quotes a prefix of the value, not all of it")
        #expect(error?.description.contains("100000 bytes") == true)
    }

    // MARK: - Null

    @Test func nullFlags() throws {
        #expect(try articleFields.isNull("published_at", "true").text == #""published_at" IS NULL"#)
        #expect(try articleFields.isNull("published_at", "0").text == #""published_at" IS NOT NULL"#)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.isNull("published_at", "perhaps") }?.code == .invalidValue)
        #expect(thrown(RequestParameterError.self) { _ = try articleFields.isNull("title", "true") }?.code == .unknownField,
                "a column that is never NULL")
    }

    @Test func requestFiltersComposeWithKeyPathFilters() throws {
        let filter = try articleFields.search("a", in: ["title"]) && \.featured == true && articleFields.in("views", ["3"])
        #expect(try filter.text == #"(("title" LIKE $1 ESCAPE E'\\' AND "featured" = $2) AND "views" = ANY($3))"#)
    }

    @Test func keyPathsThatAreNotColumnsFailWhenUsed() {
        let fields = RequestFields<Article>(["length": .field(\.title.count)])
        #expect(thrown(RepositoryError.self) { _ = try fields.order("length") }?.code == .unknownColumn)
        #expect(fields.names == ["length"])
    }
}

@Suite struct RequestValueTests {
    @Test func numbersParseStrictly() {
        #expect(Int32(requestText: "42") == 42)
        #expect(Int32(requestText: "4.2") == nil)
        #expect(Int64(requestText: " 1") == nil)
        #expect(Double(requestText: "2.5") == 2.5)
        #expect(Double(requestText: "nan") == nil)
        #expect(Double(requestText: "inf") == nil)
        #expect(Decimal(requestText: "12.50") == Decimal(string: "12.50"))
        #expect(Decimal(requestText: "12abc") == nil)
        #expect(Decimal(requestText: "1-2") == nil, "not 1")
        #expect(Decimal(requestText: "-0.5e2") == Decimal(-50))
        #expect(Decimal(requestText: ".") == nil)
        #expect(Decimal(requestText: "1e") == nil)
        #expect(Bool(requestText: "TRUE") == true)
        #expect(UUID(requestText: "e621e1f8-c36c-495a-93fc-0c247a3e6e5f") != nil)
        #expect(String(requestText: "a\u{0}") == nil)
    }

    @Test func rawRepresentableEnumsParseTheirRawValues() {
        #expect(Status(requestText: "published") == .published)
        #expect(Status(requestText: "lost") == nil)
    }

    enum Status: String, Codable, PostgresCodable, PostgresArrayElement, RequestValue {
        case draft, published
    }
}
