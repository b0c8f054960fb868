import Testing
@testable import Tusk

@Suite struct FloatingPointCodecTests {
    @Test(arguments: [0.0, -0.0, 1.5, -1e300, Double.infinity, -Double.infinity, Double.leastNonzeroMagnitude])
    func roundTripsDoubleBitForBit(value: Double) throws {
        #expect(try roundTrip(value).bitPattern == value.bitPattern)
    }

    @Test func roundTripsNaN() throws {
        #expect(try roundTrip(Double.nan).isNaN)
        #expect(try roundTrip(Float.nan).isNaN)
    }

    @Test func widensFloatExactly() throws {
        #expect(try decoded(Double.self, encoded(Float(0.1)), as: .float4) == Double(Float(0.1)))
    }

    @Test func floatFromDoubleOnlyWhenExact() throws {
        #expect(try decoded(Float.self, encoded(0.5), as: .float8) == 0.5)
        let error = #expect(throws: PostgresDecodingError.self) { try decoded(Float.self, encoded(0.1), as: .float8) }
        #expect(error?.code == .outOfRange)
    }
}
