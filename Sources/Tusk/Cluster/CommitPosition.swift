/// A point in the primary's write-ahead log (an LSN, `16/B374D848`): where it stood once a
/// commit returned. A replica that has replayed up to it sees that commit.
///
/// `Codable` as its text, so an app can carry it between requests (a cookie, a session store)
/// and read its own writes on a replica in the next request too.
public struct CommitPosition: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The LSN as a 64-bit byte position.
    public let offset: UInt64

    /// A position from its byte offset.
    public init(offset: UInt64) {
        self.offset = offset
    }

    /// Parses PostgreSQL's `pg_lsn` text (`X/Y`, both hexadecimal); nil for anything else.
    public init?(text: String?) {
        guard let text else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let high = UInt32(parts[0], radix: 16), let low = UInt32(parts[1], radix: 16) else { return nil }
        offset = UInt64(high) << 32 | UInt64(low)
    }

    /// `X/Y`, as PostgreSQL prints a `pg_lsn`.
    public var description: String {
        String(offset >> 32, radix: 16, uppercase: true) + "/" + String(offset & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    /// Orders positions along the log.
    public static func < (lhs: CommitPosition, rhs: CommitPosition) -> Bool { lhs.offset < rhs.offset }

    /// Decodes the `X/Y` text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let position = CommitPosition(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a WAL position: \(text.prefix(40))"))
        }
        self = position
    }

    /// Encodes the `X/Y` text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
