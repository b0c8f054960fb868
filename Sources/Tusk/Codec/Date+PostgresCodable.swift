#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Date: PostgresEncodable {
    /// `timestamptz`. It binds to `timestamp` and `date` columns through PostgreSQL's assignment
    /// casts, which use the session time zone; Tusk's connections run in UTC.
    public static var postgresType: PostgresDataType { .timestamptz }

    /// Appends microseconds since 2000-01-01 00:00 UTC, rounded to the nearest microsecond.
    ///
    /// - Throws: ``PostgresEncodingError/Code/outOfRange`` for a date outside PostgreSQL's range
    ///   (4713 BC to 294276 AD) or a non-finite interval.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        buffer.append(bigEndian: try postgresMicroseconds())
    }

    /// Microseconds since PostgreSQL's epoch, 2000-01-01 00:00 UTC.
    func postgresMicroseconds() throws -> Int64 {
        let micros = (timeIntervalSinceReferenceDate * 1_000_000).rounded()
        guard micros.isFinite,
              micros > Double(PostgresTimestamp.minimumMicroseconds - PostgresTimestamp.referenceDateOffsetMicroseconds),
              micros < Double(PostgresTimestamp.endMicroseconds - PostgresTimestamp.referenceDateOffsetMicroseconds)
        else {
            throw PostgresEncodingError(.outOfRange, "\(self) is outside PostgreSQL's timestamp range (4713 BC to 294276 AD)")
        }
        return Int64(micros) + PostgresTimestamp.referenceDateOffsetMicroseconds
    }
}

extension Date: PostgresDecodable {
    /// Decodes `timestamptz`, `timestamp` (read as UTC) and `date` (midnight UTC).
    ///
    /// - Throws: ``PostgresDecodingError/Code/outOfRange`` for `infinity` and `-infinity`,
    ///   which `Date` cannot represent faithfully.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        switch (cell.type, cell.count) {
        case (.timestamptz, 8), (.timestamp, 8):
            let micros = cell.integer(as: Int64.self)
            guard micros != .max, micros != .min else {
                throw PostgresDecodingError(.outOfRange, swiftType: Date.self, postgresType: cell.type,
                                            message: "\(micros == .max ? "infinity" : "-infinity") has no Date equivalent")
            }
            let relative = micros - PostgresTimestamp.referenceDateOffsetMicroseconds
            self = Date(timeIntervalSinceReferenceDate: Double(relative) / 1_000_000)
        case (.date, 4):
            let days = cell.integer(as: Int32.self)
            guard days != .max, days != .min else {
                throw PostgresDecodingError(.outOfRange, swiftType: Date.self, postgresType: cell.type,
                                            message: "\(days == .max ? "infinity" : "-infinity") has no Date equivalent")
            }
            self = Date(timeIntervalSinceReferenceDate: Double(Int64(days) * 86_400 - PostgresTimestamp.referenceDateOffsetSeconds))
        case (.timestamptz, _), (.timestamp, _), (.date, _):
            throw cell.invalid(Date.self, "a \(cell.type) of \(cell.count) bytes")
        default:
            throw cell.typeMismatch(Date.self)
        }
    }
}

extension Date: PostgresArrayElement {
    /// `timestamptz[]`.
    public static var postgresArrayType: PostgresDataType { .timestamptzArray }
}

/// Constants of PostgreSQL's timestamp representation.
enum PostgresTimestamp {
    /// Seconds from 2000-01-01 (PostgreSQL's epoch) to 2001-01-01 (Foundation's reference date).
    static let referenceDateOffsetSeconds: Int64 = 31_622_400
    static let referenceDateOffsetMicroseconds: Int64 = referenceDateOffsetSeconds * 1_000_000
    /// 4714-11-24 00:00 BC, the first valid timestamp, in microseconds since 2000-01-01.
    static let minimumMicroseconds: Int64 = -211_813_488_000_000_000
    /// 294277-01-01 00:00, the first timestamp past the valid range.
    static let endMicroseconds: Int64 = 9_223_371_331_200_000_000
}
