import Foundation
import Testing
@testable import Tusk

@Suite struct DateCodecTests {
    @Test func epochIsZero() throws {
        // PostgreSQL's epoch is 2000-01-01 00:00:00 UTC.
        let epoch = Date(timeIntervalSince1970: 946_684_800)
        #expect(try encoded(epoch) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test(arguments: [-5_000_000_000.123456, -1.5, 0, 1_700_000_000.654321, 4_200_000_000.000001])
    func roundTripsToTheMicrosecond(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let back = try roundTrip(date)
        #expect(abs(back.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test func decodesDateAsMidnightUTC() throws {
        // 2000-01-02 is day 1.
        #expect(try decoded(Date.self, [0, 0, 0, 1], as: .date) == Date(timeIntervalSince1970: 946_684_800 + 86_400))
    }

    @Test func infinityIsATypedError() throws {
        let error = #expect(throws: PostgresDecodingError.self) {
            try decoded(Date.self, encoded(Int64.max), as: .timestamptz)
        }
        #expect(error?.code == .outOfRange)
    }

    @Test func outOfRangeDateIsATypedError() throws {
        let error = #expect(throws: PostgresEncodingError.self) { try encoded(Date(timeIntervalSince1970: 1e16)) }
        #expect(error?.code == .outOfRange)
    }
}
