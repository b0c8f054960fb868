import CLibPQ

/// libpq's own parser for connection strings, so Tusk accepts exactly what libpq accepts:
/// `postgres://` and `postgresql://` URLs (percent-encoding, multi-host lists, query parameters)
/// and `key=value` DSNs.
enum PGConnectionInfo {
    /// The options set in `connectionString`, keyed by libpq keyword (`host`, `port`, `dbname`, …).
    ///
    /// - Throws: ``ConnectionError/Code/invalidConfiguration`` with libpq's reason, secrets
    ///   redacted: libpq quotes the input, or the part it could not read, and that may be the
    ///   password.
    static func parse(_ connectionString: String) throws -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            var reason = "invalid connection string"
            if let errorMessage {
                reason = String(cString: errorMessage).trimmingTrailingNewlines()
                PQfreemem(errorMessage)
            }
            throw ConnectionError(.invalidConfiguration, message: ConnectionStringSecrets(connectionString).redact(reason))
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                result[String(cString: keyword)] = String(cString: value)
            }
            option = option.advanced(by: 1)
        }
        return result
    }

    /// The libpq version Tusk is linked against, e.g. 150018.
    static var libraryVersion: Int { Int(PQlibVersion()) }
}
