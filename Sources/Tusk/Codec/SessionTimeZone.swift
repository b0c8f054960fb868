/// The session's `TimeZone` setting, as far as converting between `timestamptz`, `timestamp` and
/// `date` is concerned.
///
/// PostgreSQL's casts between those types read the wall clock of the session's time zone. Tusk
/// runs its connections in UTC (``ConnectionConfiguration/settings``), where the conversion is
/// plain arithmetic; any other zone's rules (and their history) live in the server's tz database,
/// which the client cannot be sure to match, so client-side conversion is refused there.
enum SessionTimeZone: Hashable, Sendable {
    /// A zone whose offset is always zero.
    case utc
    /// Any other zone, by the name the server reported (nil when it reported none).
    case other(String?)

    /// Classifies the value of the `TimeZone` parameter status.
    init(parameterStatus name: String?) {
        guard let name else {
            self = .other(nil)
            return
        }
        self = Self.utcNames.contains(name.lowercased()) ? .utc : .other(name)
    }

    /// Names of the tz database's zero-offset zones (compared in lower case).
    private static let utcNames: Set<String> = [
        "utc", "etc/utc", "uct", "etc/uct", "gmt", "etc/gmt", "gmt0", "etc/gmt0", "gmt+0", "gmt-0",
        "etc/gmt+0", "etc/gmt-0", "greenwich", "etc/greenwich", "universal", "etc/universal", "zulu", "etc/zulu",
    ]

    /// The zone's name for messages.
    var name: String {
        switch self {
        case .utc: "UTC"
        case .other(let name): name ?? "unknown"
        }
    }
}
