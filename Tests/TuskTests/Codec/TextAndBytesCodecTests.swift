import Foundation
import Testing
@testable import Tusk

@Suite struct TextAndBytesCodecTests {
    @Test(arguments: ["", "plain", "emoji 🐘👍🏽", "quote ' and \" and \\"])
    func roundTripsStrings(value: String) throws {
        #expect(try roundTrip(value) == value)
        #expect(try encoded(value) == Array(value.utf8))
    }

    @Test func roundTripsOneMebibyte() throws {
        let value = String(repeating: "x", count: 1 << 20)
        #expect(try roundTrip(value) == value)
    }

    @Test func stringWithNULIsAnErrorNotATruncation() throws {
        let error = #expect(throws: PostgresEncodingError.self) { try encoded("before\u{0}after") }
        #expect(error?.code == .nulInText)
    }

    @Test func decodesTextLikeTypes() throws {
        for type in [PostgresDataType.text, .varchar, .bpchar, .name, .unknown, PostgresDataType(rawValue: 16_500)] {
            #expect(try decoded(String.self, Array("abc".utf8), as: type) == "abc")
        }
        #expect(try decoded(String.self, [1] + Array("{}".utf8), as: .jsonb) == "{}")
    }

    @Test func bytesAreBytea() throws {
        let bytes: [UInt8] = [0, 1, 2, 255]
        #expect([UInt8].postgresType == .bytea)
        #expect(try encoded(bytes) == bytes)
        #expect(try roundTrip(bytes) == bytes)
        #expect(try roundTrip(Data(bytes)) == Data(bytes))
    }

    @Test func uuidRoundTrips() throws {
        let uuid = UUID()
        #expect(try roundTrip(uuid) == uuid)
        #expect(try encoded(uuid)?.count == 16)
    }

    @Test func boolRoundTrips() throws {
        #expect(try encoded(true) == [1])
        #expect(try roundTrip(false) == false)
    }
}
