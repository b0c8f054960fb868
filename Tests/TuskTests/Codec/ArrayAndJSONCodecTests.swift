import Foundation
import Testing
@testable import Tusk

@Suite struct ArrayAndJSONCodecTests {
    @Test func arrayHeaderAndElements() throws {
        let bytes = try encoded([Int32(7), 8])
        #expect(bytes == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1,
                          0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 8])
        #expect([Int32].postgresType == .int4Array)
    }

    @Test func arraysWithNullsRoundTrip() throws {
        let values: [String?] = ["a", nil, "", "🐘"]
        #expect(try roundTrip(values) == values)
        #expect([String?].postgresType == .textArray)
    }

    @Test func emptyArrayRoundTrips() throws {
        #expect(try roundTrip([Int64]()) == [])
        #expect(try roundTrip([UUID]()) == [])
    }

    @Test func nullElementInNonOptionalArrayThrows() throws {
        let bytes = try encoded([Int64?.some(1), nil])
        #expect(throws: PostgresDecodingError.self) { try decoded([Int64].self, bytes, as: .int8Array) }
    }

    @Test func multiDimensionalArraysAreRejected() throws {
        let twoDimensions: [UInt8] = [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]
        let error = #expect(throws: PostgresDecodingError.self) { try decoded([Int32].self, twoDimensions, as: .int4Array) }
        #expect(error?.code == .typeMismatch)
    }

    struct Settings: Codable, Equatable, Sendable {
        var theme: String
        var nested: [String: [Int]]
    }

    @Test func jsonbRoundTrips() throws {
        let settings = Settings(theme: "dark", nested: ["a": [1, 2]])
        let bytes = try #require(try encoded(PostgresJSON(settings)) as [UInt8]?)
        #expect(bytes.first == 1)
        #expect(try roundTrip(PostgresJSON(settings)).value == settings)
        #expect(try decoded(PostgresJSON<Settings>.self, Array(bytes.dropFirst()), as: .json).value == settings)
    }

    enum Mood: String, Codable, PostgresCodable, PostgresArrayElement { case happy, sad }

    @Test func stringEnumsLetTheServerInferTheType() throws {
        #expect(Mood.postgresType == .unspecified)
        #expect(try encoded(Mood.sad) == Array("sad".utf8))
        #expect(try decoded(Mood.self, Array("happy".utf8), as: PostgresDataType(rawValue: 16_384)) == .happy)
        let error = #expect(throws: PostgresDecodingError.self) { try decoded(Mood.self, Array("angry".utf8), as: .text) }
        #expect(error?.code == .invalidValue)
        #expect([Mood].postgresType == .textArray)
        #expect(try roundTrip([Mood.happy, .sad]) == [.happy, .sad])
    }
}
