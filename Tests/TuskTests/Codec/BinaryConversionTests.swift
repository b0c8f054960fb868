import Foundation
import Testing
@testable import Tusk

@Suite struct BinaryConversionTests {
    typealias Step = PostgresBinaryConversion.Step

    // MARK: - Integers

    @Test func integersWidenAndNarrowWithinRange() throws {
        #expect(try convert(Int16(-7), .integer(from: .int2, to: .int8), as: .int8, to: Int64.self) == -7)
        #expect(try convert(Int32.min, .integer(from: .int4, to: .int8), as: .int8, to: Int64.self) == Int64(Int32.min))
        #expect(try convert(Int64(32_767), .integer(from: .int8, to: .int2), as: .int2, to: Int16.self) == 32_767)
        #expect(try convert(Int64(-32_768), .integer(from: .int8, to: .int2), as: .int2, to: Int16.self) == -32_768)
        #expect(try convert(Int64(Int32.max), .integer(from: .int8, to: .int4), as: .int4, to: Int32.self) == Int32.max)
        #expect(try convert(Int32(-1), .integer(from: .int4, to: .int2), as: .int2, to: Int16.self) == -1)
        #expect(try converted(Int64(1), .integer(from: .int8, to: .int4)) == [0, 0, 0, 1])
        #expect(try converted(Int16(1), .integer(from: .int2, to: .int4)) == [0, 0, 0, 1])
    }

    @Test(arguments: [
        (Int64(40_000), PostgresBinaryConversion.IntegerWidth.int2), (Int64(-32_769), .int2),
        (Int64.max, .int4), (Int64(Int32.min) - 1, .int4),
    ])
    func integersOutOfRangeAreRefused(value: Int64, width: PostgresBinaryConversion.IntegerWidth) throws {
        let error = #expect(throws: PostgresEncodingError.self) { try converted(value, .integer(from: .int8, to: width)) }
        #expect(error?.code == .outOfRange)
        #expect(error?.message.contains("\(value)") == true)
        #expect(error?.message.contains(width.sqlName) == true)
    }

    @Test func integersBecomeFloatsRoundedToNearest() throws {
        #expect(try convert(Int64(16_777_217), .integerToFloat(from: .int8, to: .float4), as: .float4, to: Float.self) == 16_777_216)
        #expect(try convert(Int64(1) << 53 + 1, .integerToFloat(from: .int8, to: .float8), as: .float8, to: Double.self) == 9_007_199_254_740_992)
        #expect(try convert(Int16(-3), .integerToFloat(from: .int2, to: .float8), as: .float8, to: Double.self) == -3)
        #expect(try convert(Int64.max, .integerToFloat(from: .int8, to: .float4), as: .float4, to: Float.self) == 9.223372e18)
    }

    @Test(arguments: [Int64.min, Int64.max, 0, 1, -1, 9_999, 10_000, 10_001, 100_000_000, -1_000_000_000_000, 123_456_789_012])
    func integersBecomeExactNumerics(value: Int64) throws {
        #expect(try numericText(value, .integerToNumeric(from: .int8)) == String(value))
    }

    @Test func integerNumericsStripTrailingZeroGroups() throws {
        // 10^8: weight 2, one digit group (the server's own form), display scale 0.
        #expect(try converted(Int64(100_000_000), .integerToNumeric(from: .int8)) == [0, 1, 0, 2, 0, 0, 0, 0, 0, 1])
        #expect(try numericText(Int32(-40), .integerToNumeric(from: .int4)) == "-40")
    }

    // MARK: - Floating point

    @Test func float4WidensExactly() throws {
        #expect(try convert(Float(0.1), .float(from: .float4, to: .float8), as: .float8, to: Double.self) == Double(Float(0.1)))
    }

    @Test func float8NarrowsLikeTheServer() throws {
        #expect(try convert(0.1, .float(from: .float8, to: .float4), as: .float4, to: Float.self) == Float(0.1))
        #expect(try convert(Double.infinity, .float(from: .float8, to: .float4), as: .float4, to: Float.self) == .infinity)
        #expect(try convert(Double.nan, .float(from: .float8, to: .float4), as: .float4, to: Float.self).isNaN)
        #expect(try convert(1e-40, .float(from: .float8, to: .float4), as: .float4, to: Float.self) == Float(1e-40))
        #expect(try convert(-0.0, .float(from: .float8, to: .float4), as: .float4, to: Float.self).sign == .minus)
        for (value, kind) in [(1e300, "overflow"), (-1e39, "overflow"), (1e-50, "underflow")] {
            let error = #expect(throws: PostgresEncodingError.self) { try converted(value, .float(from: .float8, to: .float4)) }
            #expect(error?.code == .outOfRange)
            #expect(error?.message.contains(kind) == true)
        }
    }

    @Test(arguments: [
        (0.1, "0.1"), (123_456_789.123456789, "123456789.123457"), (1e-7, "0.0000001"), (-2.5, "-2.5"), (-0.0, "0"),
        (1e20, "100000000000000000000"), (0.000123456789012345678, "0.000123456789012346"), (1.0 / 3.0, "0.333333333333333"),
    ])
    func doublesBecomeNumericsWithFifteenDigits(value: Double, expected: String) throws {
        #expect(try numericText(value, .floatToNumeric(from: .float8)) == expected)
    }

    @Test func floatsBecomeNumericsWithSixDigitsAndSpecials() throws {
        #expect(try numericText(Float(0.1), .floatToNumeric(from: .float4)) == "0.1")
        #expect(try numericText(Float(16_777_217), .floatToNumeric(from: .float4)) == "16777200")
        #expect(try numericText(1e300, .floatToNumeric(from: .float8)) == "1" + String(repeating: "0", count: 300))
        #expect(try numericText(Double.nan, .floatToNumeric(from: .float8)) == "NaN")
        #expect(try numericText(Double.infinity, .floatToNumeric(from: .float8)) == "Infinity")
        #expect(try numericText(-Double.infinity, .floatToNumeric(from: .float8)) == "-Infinity")
        #expect(PostgresBinaryConversion.formatted(1.5e-7, significantDigits: 15) == "1.5e-07")
    }

    @Test(arguments: [(2.5, Int64(2)), (3.5, 4), (-2.5, -2), (-3.5, -4), (1.4999, 1), (-0.4, 0), (32_767.4, 32_767)])
    func floatsBecomeIntegersRoundingHalfToEven(value: Double, expected: Int64) throws {
        #expect(try convert(value, .floatToInteger(from: .float8, to: .int2), as: .int2, to: Int64.self) == expected)
        #expect(try convert(Float(value), .floatToInteger(from: .float4, to: .int8), as: .int8, to: Int64.self)
            == Int64(Double(Float(value)).rounded(.toNearestOrEven)))
    }

    @Test func floatsOutsideTheIntegerRangeAreRefused() throws {
        #expect(try convert(-9_223_372_036_854_775_808.0, .floatToInteger(from: .float8, to: .int8), as: .int8, to: Int64.self) == .min)
        for (value, width) in [(32_767.5, PostgresBinaryConversion.IntegerWidth.int2), (9_223_372_036_854_775_808.0, .int8),
                               (Double.nan, .int4), (Double.infinity, .int4), (2_147_483_648.0, .int4)] {
            let error = #expect(throws: PostgresEncodingError.self) { try converted(value, .floatToInteger(from: .float8, to: width)) }
            #expect(error?.code == .outOfRange)
        }
    }

    // MARK: - Numeric

    @Test(arguments: [("2.5", Int64(3)), ("-2.5", -3), ("2.4999", 2), ("0.5", 1), ("0.05", 0), ("1E+3", 1_000), ("-9223372036854775808", .min),
                      ("12345678901234567.49", 12_345_678_901_234_567)])
    func numericsBecomeIntegersRoundingHalfAwayFromZero(text: String, expected: Int64) throws {
        let numeric = try #require(PostgresNumeric(text))
        #expect(try convert(numeric, .numericToInteger(to: .int8), as: .int8, to: Int64.self) == expected)
    }

    @Test func numericsOutsideTheIntegerRangeAreRefused() throws {
        for (text, width) in [("32767.5", PostgresBinaryConversion.IntegerWidth.int2), ("9223372036854775808", .int8), ("NaN", .int4),
                              ("Infinity", .int4), ("1e30", .int8)] {
            let numeric = try #require(PostgresNumeric(text))
            let error = #expect(throws: PostgresEncodingError.self) { try converted(numeric, .numericToInteger(to: width)) }
            #expect(error?.code == .outOfRange)
        }
        #expect(try convert(Decimal(string: "-32768.4")!, .numericToInteger(to: .int2), as: .int2, to: Int16.self) == -32_768)
    }

    @Test func numericsBecomeFloatsCorrectlyRounded() throws {
        #expect(try convert(Decimal(string: "0.1")!, .numericToFloat(to: .float8), as: .float8, to: Double.self) == 0.1)
        #expect(try convert(Decimal(string: "0.1")!, .numericToFloat(to: .float4), as: .float4, to: Float.self) == Float(0.1))
        #expect(try convert(PostgresNumeric("NaN")!, .numericToFloat(to: .float8), as: .float8, to: Double.self).isNaN)
        #expect(try convert(PostgresNumeric("-Infinity")!, .numericToFloat(to: .float4), as: .float4, to: Float.self) == -.infinity)
        #expect(try convert(PostgresNumeric("0")!, .numericToFloat(to: .float4), as: .float4, to: Float.self) == 0)
        for (text, width) in [("1e400", PostgresBinaryConversion.FloatWidth.float8), ("1e-400", .float8), ("1e39", .float4), ("1e-50", .float4)] {
            let numeric = try #require(PostgresNumeric(text))
            let error = #expect(throws: PostgresEncodingError.self) { try converted(numeric, .numericToFloat(to: width)) }
            #expect(error?.code == .outOfRange)
        }
    }

    // MARK: - Dates

    @Test(arguments: [(Int64(0), Int32(0)), (-1, -1), (86_399_999_999, 0), (86_400_000_000, 1), (-86_400_000_000, -1),
                      (-86_400_000_001, -2), (.max, .max), (.min, .min)])
    func timestampsBecomeTheirDay(micros: Int64, days: Int32) {
        #expect(PostgresBinaryConversion.date(fromMicroseconds: micros) == days)
    }

    @Test func datesAroundMidnightBeforeTwoThousandAndFractionalSeconds() throws {
        // 1999-12-31 23:59:59.5 UTC is day -1; 2000-01-01 00:00 is day 0; 1969-12-31 23:59:59.5 is day -10958.
        #expect(try converted(Date(timeIntervalSince1970: 946_684_799.5), .timestampToDate) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try converted(Date(timeIntervalSince1970: 946_684_800), .timestampToDate) == [0, 0, 0, 0])
        #expect(try decoded(Int32.self, converted(Date(timeIntervalSince1970: -0.5), .timestampToDate), as: .int4) == -10_958)
    }

    @Test func datesBecomeMidnightTimestamps() throws {
        #expect(try PostgresBinaryConversion.microseconds(fromDays: 1) == 86_400_000_000)
        #expect(try PostgresBinaryConversion.microseconds(fromDays: -1) == -86_400_000_000)
        #expect(try PostgresBinaryConversion.microseconds(fromDays: .max) == .max)
        #expect(try PostgresBinaryConversion.microseconds(fromDays: .min) == .min)
        let error = #expect(throws: PostgresEncodingError.self) { try PostgresBinaryConversion.microseconds(fromDays: 110_000_000) }
        #expect(error?.code == .outOfRange)
        #expect(try converted(Int32(2), .dateToTimestamp) == (try encoded(Int64(172_800_000_000))))
    }

    // MARK: - Text and JSON

    @Test func jsonVersionByteIsAddedAndDropped() throws {
        #expect(try converted("{\"a\":1}", .addJSONBVersion) == [1] + Array("{\"a\":1}".utf8))
        #expect(try converted(PostgresJSON(["a": 1]), .dropJSONBVersion) == Array("{\"a\":1}".utf8))
        let error = #expect(throws: PostgresEncodingError.self) { try converted("{}", .dropJSONBVersion) }
        #expect(error?.code == .unsupportedValue)
    }

    @Test func namesHoldSixtyThreeBytes() throws {
        #expect(try converted(String(repeating: "n", count: 63), .checkNameLength) == Array(repeating: UInt8(ascii: "n"), count: 63))
        let error = #expect(throws: PostgresEncodingError.self) { try converted(String(repeating: "é", count: 32), .checkNameLength) }
        #expect(error?.code == .outOfRange)
    }

    // MARK: - Arrays and framing

    @Test func arrayElementsConvertAndTheHeaderNamesTheColumnsElementType() throws {
        let bytes = try converted([Int64(1), nil, -3], .integer(from: .int8, to: .int4), arrayElementType: .int4)
        #expect(bytes == (try encoded([Int32(1), nil, -3])))
        let error = #expect(throws: PostgresEncodingError.self) {
            try converted([Int64(1), Int64.max], .integer(from: .int8, to: .int4), arrayElementType: .int4)
        }
        #expect(error?.code == .outOfRange)
        #expect(try converted([Int64](), .integer(from: .int8, to: .int4), arrayElementType: .int4) == (try encoded([Int32]())))
    }

    @Test func arrayHeadersAreRewrittenInPlaceWhenElementsMatch() throws {
        let bytes = try #require(try converted(["a", "b"], .none, arrayElementType: .varchar))
        var expected = try #require(try encoded(["a", "b"]))
        expected.replaceSubrange(8..<12, with: [0, 0, 0x04, 0x13])
        #expect(bytes == expected)
    }

    @Test func malformedArraysAreRefused() throws {
        let error = #expect(throws: PostgresEncodingError.self) { try converted(Int64(5), .none, arrayElementType: .int4) }
        #expect(error?.code == .unsupportedValue)
        let wrongSize = #expect(throws: PostgresEncodingError.self) { try converted(Int32(5), .integer(from: .int8, to: .int4)) }
        #expect(wrongSize?.code == .unsupportedValue)
    }

    @Test func aFailedConversionLeavesTheBufferAsItWas() throws {
        var buffer = PostgresEncodingBuffer()
        try buffer.appendField(Int64(1))
        let before = buffer.bytes
        #expect(throws: PostgresEncodingError.self) {
            try buffer.appendField(Int64(40_000), converting: PostgresBinaryConversion(step: .integer(from: .int8, to: .int2)))
        }
        #expect(buffer.bytes == before)
        #expect(throws: PostgresEncodingError.self) {
            try buffer.appendField(encoded: try encoded(Int64(40_000)), converting: PostgresBinaryConversion(step: .integer(from: .int8, to: .int2)))
        }
        #expect(buffer.bytes == before)
        try buffer.appendField(Int?.none, converting: PostgresBinaryConversion(step: .integer(from: .int8, to: .int2)))
        #expect(buffer.bytes == before + [0xFF, 0xFF, 0xFF, 0xFF], "NULL needs no conversion")
    }
}
