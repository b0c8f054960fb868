import Testing
@testable import Tusk

@Suite struct IntegerCodecTests {
    @Test func encodesBigEndian() throws {
        #expect(try encoded(Int16(0x0102)) == [0x01, 0x02])
        #expect(try encoded(Int32(-2)) == [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(try encoded(Int64(1)) == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(try encoded(1) == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(Int.postgresType == .int8)
    }

    @Test(arguments: [Int64.min, -1, 0, 1, Int64.max])
    func roundTripsInt64(value: Int64) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test func widensSmallerIntegers() throws {
        #expect(try decoded(Int64.self, encoded(Int16(-7)), as: .int2) == -7)
        #expect(try decoded(Int.self, encoded(Int32.max), as: .int4) == Int(Int32.max))
    }

    @Test func narrowingOutOfRangeThrowsInsteadOfWrapping() throws {
        let error = #expect(throws: PostgresDecodingError.self) {
            try decoded(Int32.self, encoded(Int64(Int32.max) + 1), as: .int8)
        }
        #expect(error?.code == .outOfRange)
        #expect(try decoded(Int16.self, encoded(Int64(300)), as: .int8) == 300)
    }

    @Test func rejectsOtherTypes() throws {
        let error = #expect(throws: PostgresDecodingError.self) {
            try decoded(Int.self, encoded("12"), as: .text)
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.description.contains("text") == true)
    }

    @Test func rejectsWrongLength() throws {
        #expect(throws: PostgresDecodingError.self) {
            try decoded(Int64.self, [0, 1, 2], as: .int8)
        }
    }

    @Test func nullNeedsAnOptional() throws {
        let error = #expect(throws: PostgresDecodingError.self) { try decoded(Int.self, nil, as: .int8) }
        #expect(error?.code == .unexpectedNull)
        #expect(try decoded(Int?.self, nil, as: .int8) == nil)
        #expect(try encoded(Int?.none) == nil)
    }
}
