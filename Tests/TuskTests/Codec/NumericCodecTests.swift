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

    @Test(arguments: ["0.19", "-3.14159", "18446744073709551615", "18446744073709551616", "9999999999999999999",
                      "1234567890123456789.5", "-0.000000000000000001", "120", "1e127", "1e-128", "42.000"])
    func decimalFromNumericEqualsTheParsedText(text: String) throws {
        // Up to 19 digits take the UInt64 path, longer ones the exact text path: both give the
        // value Foundation parses from the same text.
        let numeric = try #require(PostgresNumeric(text))
        let expected = try #require(Decimal(string: text))
        #expect(Decimal(exactly: numeric) == expected)
        #expect(try decoded(Decimal.self, encoded(numeric), as: .numeric) == expected)
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
    @Test(arguments: [
        "1e9223372036854775807", "15e9223372036854775807", "-1.5e9223372036854775806",
        "1e9223372036854775808", "1e-9223372036854775808", "0.1e-9223372036854775808",
        "1.5e-9223372036854775807", "1e-9223372036854775809", "1e999999999999", "-1e999999999999",
        "1e-999999999999", "0e-999999999999", "0.5e+999999999999", "9223372036854775807e-9223372036854775800",
        // Just past PostgreSQL's limits: 131,072 digits before the point, 16,383 after.
        "1e131072", "1e-16384", "0.00000e-16380",
    ])
    func valuesPostgresCannotHoldAreTypedErrors(text: String) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: PostgresEncodingError.self) { try PostgresNumeric(parsing: text) }
        #expect(error?.code == .outOfRange)
        // The message names the problem without printing (or building) the value's digits.
        #expect((error?.description.count ?? 0) < 200)
        #expect(PostgresNumeric(text) == nil)
        // Not expanded digit by digit: an exponent of 10^12 would take hours that way. The bound
        // is far above the microseconds it takes, so a loaded machine cannot fail it.
        #expect(clock.now - started < .seconds(30))
    }

    @Test func hugeInputsAreRejectedQuickly() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let wide = "1" + String(repeating: "0", count: 1_000_000)
        #expect(throws: PostgresEncodingError.self) { try PostgresNumeric(parsing: wide) }
        let deep = "0." + String(repeating: "0", count: 1_000_000) + "1"
        #expect(throws: PostgresEncodingError.self) { try PostgresNumeric(parsing: deep) }
        // Linear, not quadratic: a quadratic parse of a million digits takes many minutes, far
        // past this bound, while the linear one takes well under a second when the machine is
        // idle (logged, not asserted).
        let elapsed = clock.now - started
        print("NumericCodecTests: two 1,000,000-digit inputs rejected in \(elapsed)")
        #expect(elapsed < .seconds(60))
    }

    @Test func postgresLimitsStillEncode() throws {
        // 10^131071: 131,072 digits before the point, weight 32767, one base-10000 digit 1000.
        let widest = try PostgresNumeric(parsing: "1e131071")
        #expect(try encoded(widest) == [0, 1, 0x7F, 0xFF, 0, 0, 0, 0, 0x03, 0xE8])
        // 10^-16383: display scale 16383, PostgreSQL's maximum.
        let deepest = try PostgresNumeric(parsing: "1e-16383")
        let bytes = try #require(try encoded(deepest))
        #expect(Array(bytes.prefix(8)) == [0, 1, 0xF0, 0x00, 0, 0, 0x3F, 0xFF])
        #expect(try decoded(PostgresNumeric.self, bytes, as: .numeric).description == deepest.description)
    }

    @Test func theWidestNumericRoundTrips() throws {
        // Every digit PostgreSQL allows: 32,768 + 4,096 base-10000 digits, more than Int16.max.
        let text = String(repeating: "9", count: 131_072) + "." + String(repeating: "9", count: 16_383)
        let numeric = try PostgresNumeric(parsing: text)
        let bytes = try #require(try encoded(numeric))
        #expect(Array(bytes.prefix(8)) == [0x90, 0x00, 0x7F, 0xFF, 0, 0, 0x3F, 0xFF])
        #expect(try decoded(PostgresNumeric.self, bytes, as: .numeric).description == text)
    }

    @Test(arguments: [("12.50", "12.50"), ("1e3", "1000"), ("1.5e-3", "0.0015"), ("-2.5E+2", "-250"),
                      ("0.000", "0.000"), ("+7", "7"), (".5", "0.5"), ("5.", "5")])
    func parsingKeepsNormalValues(text: String, expected: String) throws {
        let numeric = try PostgresNumeric(parsing: text)
        #expect(numeric.description == expected)
        #expect(PostgresNumeric(text) == numeric)
        #expect(try decoded(PostgresNumeric.self, encoded(numeric), as: .numeric).description == expected)
    }

    @Test func parsingRejectsGarbageWithATypedError() {
        for text in ["12a", "", "1e", "e5", "1e+", "--1", "1.2.3", "1e5x"] {
            let error = #expect(throws: PostgresEncodingError.self) { try PostgresNumeric(parsing: text) }
            #expect(error?.code == .unsupportedValue)
            #expect(PostgresNumeric(text) == nil)
        }
    }
}
