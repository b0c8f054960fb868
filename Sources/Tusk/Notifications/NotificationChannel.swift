/// Channel names: checked once, before anything is sent, and quoted for `LISTEN`.
///
/// A channel is an identifier. `LISTEN "name"` takes it quoted, so case and any character
/// survive; `pg_notify(name, payload)` takes the same name as a bound text value, unquoted. Both
/// must name the same channel, so Tusk never lowercases or truncates: a name PostgreSQL would
/// truncate is refused instead.
enum NotificationChannel {
    /// PostgreSQL's identifier limit, NAMEDATALEN - 1 bytes.
    static let maximumLength = 63

    /// Throws unless `name` can be a channel.
    static func validate(_ name: String) throws {
        if name.isEmpty {
            throw NotificationError(.invalidChannel, message: "the channel name is empty", channel: name)
        }
        if name.utf8.contains(0) {
            throw NotificationError(.invalidChannel, message: "the channel name contains NUL", channel: name)
        }
        let length = name.utf8.count
        if length > maximumLength {
            throw NotificationError(
                .invalidChannel,
                message: "the channel name is \(length) bytes long; PostgreSQL allows at most \(maximumLength)",
                channel: name)
        }
    }

    /// The channels, each checked, without repeats, in their first order.
    static func validated(_ channels: [String]) throws -> [String] {
        guard !channels.isEmpty else {
            throw NotificationError(.invalidChannel, message: "no channel to listen on")
        }
        var seen = Set<String>()
        var result: [String] = []
        for channel in channels {
            try validate(channel)
            if seen.insert(channel).inserted { result.append(channel) }
        }
        return result
    }

    /// `"name"` with each `"` doubled.
    static func quoted(_ name: String) -> String {
        var result = "\""
        result.reserveCapacity(name.utf8.count + 2)
        for character in name {
            result.append(character)
            if character == "\"" { result.append("\"") }
        }
        result.append("\"")
        return result
    }

    /// One script that listens on every channel: a single round trip, applied as one implicit
    /// transaction, so either all channels listen or none does.
    static func listenScript(_ channels: [String]) -> String {
        channels.map { "LISTEN " + quoted($0) }.joined(separator: "; ")
    }
}
