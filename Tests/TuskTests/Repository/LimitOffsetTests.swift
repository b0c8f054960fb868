import Foundation
import Testing
@testable import Tusk

@Suite struct LimitOffsetTests {
    @Test func defaultsWhenParametersAreMissing() throws {
        let window = try LimitOffset(limit: nil, offset: nil)
        #expect(window == (try LimitOffset(limit: 20, offset: 0)))
        #expect(try LimitOffset(limit: "50", offset: "100", maximumLimit: 50) == (try LimitOffset(limit: 50, offset: 100, maximumLimit: 50)))
    }

    @Test func negativeAndTooLargeAreOutOfRange() {
        let negative = thrown(RequestParameterError.self) { _ = try LimitOffset(limit: "-1", offset: nil) }
        #expect(negative?.code == .outOfRange)
        #expect(negative?.parameter == "limit")
        let offset = thrown(RequestParameterError.self) { _ = try LimitOffset(limit: "1", offset: "-5", offsetParameter: "skip") }
        #expect(offset?.code == .outOfRange)
        #expect(offset?.parameter == "skip")
        let large = thrown(RequestParameterError.self) { _ = try LimitOffset(limit: "101", offset: nil) }
        #expect(large?.code == .outOfRange, "never quietly cut to the maximum")
        #expect(large?.message.contains("100") == true)
    }

    @Test func unparsableIsInvalid() {
        #expect(thrown(RequestParameterError.self) { _ = try LimitOffset(limit: "ten", offset: nil) }?.code == .invalidValue)
        #expect(thrown(RequestParameterError.self) { _ = try LimitOffset(limit: nil, offset: "1e3") }?.parameter == "offset")
        #expect(thrown(RequestParameterError.self) { _ = try LimitOffset(limit: "99999999999999999999", offset: nil) }?.code == .invalidValue)
    }

    @Test func numbersFromCodeThrowRepositoryErrors() {
        #expect(thrown(RepositoryError.self) { _ = try LimitOffset(limit: -1) }?.code == .invalidArgument)
        #expect(thrown(RepositoryError.self) { _ = try LimitOffset(limit: 10, offset: -1) }?.code == .invalidArgument)
        #expect(thrown(RepositoryError.self) { _ = try LimitOffset(limit: 1_000) }?.code == .invalidArgument)
        #expect((try? LimitOffset(limit: 1_000, maximumLimit: 1_000))?.limit == 1_000)
    }
}

@Suite struct LimitOffsetDecodingTests {
    @Test func decodingChecksBoundsToo() throws {
        let decoded = try JSONDecoder().decode(LimitOffset.self, from: Data(#"{"limit":5,"offset":10}"#.utf8))
        #expect(decoded == (try LimitOffset(limit: 5, offset: 10)))
        #expect(try JSONDecoder().decode(LimitOffset.self, from: Data("{}".utf8)) == (try LimitOffset()))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LimitOffset.self, from: Data(#"{"limit":-1}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LimitOffset.self, from: Data(#"{"limit":1000}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LimitOffset.self, from: Data(#"{"offset":-3}"#.utf8)) }
    }
}
