import Foundation
import Testing
@testable import Tusk

@Suite struct NumericCodecTests {
    @Test(arguments: ["0", "1", "-1", "12345.678", "0.0001", "-0.000123", "10000", "99999999",
                      "123456789012345678901234567890.12345678", "1.50", "NaN", "Infinity", "-Infinity"])
    func numericTextRoundTripsThroughBinary(text: String) throws {
        let numeric = try #require(PostgresNumeric(text))
        #expect(numeric.description == text)
        let back = try decoded(PostgresNumeric.self, encoded(numeric), as: .numeric)
        #expect(back.description == text)
    }

    @Test func binaryLayoutMatchesPostgres() throws {
        // 12345.678 = [1, 2345, 6780] × 10000^(1, 0, -1): ndigits 3, weight 1, dscale 3.
        let numeric = try #require(PostgresNumeric("12345.678"))
        let bytes = try encoded(numeric)
        #expect(bytes == [0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1A, 0x7C])
    }

    @Test func decimalRoundTripsThirtyEightDigits() throws {
        let value = try #require(Decimal(string: "12345678901234567890123456789012345678"))
        #expect(try roundTrip(value) == value)
        let small = try #require(Decimal(string: "-0.00000000000000000000000000000000000001"))
        #expect(try roundTrip(small) == small)
    }

    @Test func decimalWithNegativeScaleRoundTrips() throws {
        let value = Decimal(sign: .plus, exponent: 20, significand: 12345)
        #expect(try roundTrip(value) == value)
    }

    @Test func numericTooWideForDecimalThrows() throws {
        let wide = try #require(PostgresNumeric("1234567890123456789012345678901234567890.5"))
        let error = #expect(throws: PostgresDecodingError.self) {
            try decoded(Decimal.self, encoded(wide), as: .numeric)
        }
        #expect(error?.code == .outOfRange)
        #expect(try decoded(String.self, encoded(wide), as: .numeric) == "1234567890123456789012345678901234567890.5")
    }

    @Test func infinityIsNotADecimal() throws {
        let infinity = try #require(PostgresNumeric("Infinity"))
        #expect(throws: PostgresDecodingError.self) {
            try decoded(Decimal.self, encoded(infinity), as: .numeric)
        }
        #expect(try roundTrip(Decimal.nan).isNaN)
    }

    @Test func rejectsGarbage() {
        #expect(PostgresNumeric("12a") == nil)
        #expect(PostgresNumeric("") == nil)
        #expect(PostgresNumeric("1e") == nil)
    }
}
