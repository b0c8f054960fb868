/// Where a connection string (a `postgres://` URL or a `key=value` DSN) holds, or may hold, a
/// secret, and the redaction of messages that quote the string.
///
/// When libpq cannot parse a connection string it says what is wrong and quotes the input: the
/// whole URL, or the token it could not read. The parse failed, so there is no parsed password to
/// look for; this type reads the raw string the way libpq does, generously:
///
/// - in a URL, the userinfo after the first `:` up to the last `@` before the host (a raw `@` or
///   `/` in a password moves libpq's own split, so the end is taken as late as it can be), and
///   `password`/`sslpassword` query parameters (keys percent-decoded, as libpq decodes them);
/// - in a DSN, the values of `password` and `sslpassword`, quoted or not, with libpq's quoting
///   and backslash rules, plus the word after an unquoted one (a password with a space, which
///   libpq takes for the next keyword) and whatever follows a secret keyword whose `=` is missing.
///
/// `redact(_:)` then replaces, in a message, every quoted fragment of the input that
/// overlaps one of those places (only the overlapping part, so the rest of the quote still shows
/// where the problem is) and every raw or decoded form of a secret, with `[redacted]`. libpq's
/// wording of what is wrong stays.
struct ConnectionStringSecrets {
    /// What replaces a secret.
    static let marker = "[redacted]"

    /// More quotes than this in one message means the input itself is full of them; pairing them
    /// up would cost more than it tells, so everything between the first and last is hidden.
    private static let maximumQuotes = 16

    private static let secretKeywords: [[UInt8]] = [Array("password".utf8), Array("sslpassword".utf8)]
    private static let uriPrefixes: [[UInt8]] = [Array("postgresql://".utf8), Array("postgres://".utf8)]

    private let input: [UInt8]
    /// Byte ranges of `input` that hold, or may hold, a secret.
    private(set) var spans: [Range<Int>] = []
    /// The secrets as a message may spell them: raw and decoded, never empty.
    private(set) var candidates: [[UInt8]] = []
    /// Whether a URL has more than one raw `@` before its path or query. libpq splits at the
    /// first, so the rest of the password would silently become part of the host.
    private(set) var hasAmbiguousUserinfo = false

    init(_ connectionString: String) {
        input = Array(connectionString.utf8)
        // libpq's own test: a URL only with one of these exact, case-sensitive prefixes.
        if let prefix = Self.uriPrefixes.first(where: { input.starts(with: $0) }) {
            findURLSecrets(from: prefix.count)
        } else {
            findDSNSecrets()
        }
    }

    // MARK: - Redaction

    /// `message` with every secret, and every quoted piece of the input that overlaps one,
    /// replaced by `[redacted]`.
    func redact(_ message: String) -> String {
        guard !spans.isEmpty || !candidates.isEmpty else { return message }
        let bytes = Array(message.utf8)
        var hidden = [Bool](repeating: false, count: bytes.count)
        hideQuotedFragments(of: bytes, in: &hidden)
        for candidate in candidates {
            for start in occurrences(of: candidate[...], in: bytes[...]) {
                for index in start..<(start + candidate.count) { hidden[index] = true }
            }
        }
        return Self.rebuild(bytes, hiding: hidden)
    }

    /// `error` with its message and target fields redacted.
    func redact(_ error: ConnectionError) -> ConnectionError {
        var redacted = error
        redacted.message = redact(error.message)
        redacted.host = error.host.map(redact)
        redacted.database = error.database.map(redact)
        redacted.user = error.user.map(redact)
        return redacted
    }

    /// Marks the parts of quoted fragments (`"…"`) that are a piece of the input overlapping a
    /// secret. Every pair of quotes counts, not only adjacent ones: the input may itself contain
    /// `"`, which breaks a naive pairing.
    private func hideQuotedFragments(of bytes: [UInt8], in hidden: inout [Bool]) {
        let quotes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") }
        guard quotes.count >= 2, !spans.isEmpty else { return }
        guard quotes.count <= Self.maximumQuotes else {
            for index in (quotes[0] + 1)..<quotes[quotes.count - 1] { hidden[index] = true }
            return
        }
        for (position, open) in quotes.enumerated() {
            for close in quotes[(position + 1)...] where close > open + 1 {
                let fragment = bytes[(open + 1)..<close]
                for span in spans {
                    for overlap in overlaps(of: fragment, with: span) {
                        for index in overlap { hidden[open + 1 + index] = true }
                    }
                }
            }
        }
    }

    /// For each place `fragment` occurs in the input overlapping `span`, the overlapping part as
    /// offsets into `fragment`.
    private func overlaps(of fragment: ArraySlice<UInt8>, with span: Range<Int>) -> [Range<Int>] {
        let length = fragment.count
        guard length > 0, length <= input.count else { return [] }
        let first = max(0, span.lowerBound - length + 1)
        let last = min(span.upperBound - 1, input.count - length)
        guard first <= last else { return [] }
        var result: [Range<Int>] = []
        for start in first...last where input[start..<(start + length)].elementsEqual(fragment) {
            let lower = max(start, span.lowerBound)
            let upper = min(start + length, span.upperBound)
            if lower < upper { result.append((lower - start)..<(upper - start)) }
        }
        return result
    }

    private func occurrences(of needle: ArraySlice<UInt8>, in haystack: ArraySlice<UInt8>) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var result: [Int] = []
        for start in haystack.startIndex...(haystack.endIndex - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            result.append(start)
        }
        return result
    }

    /// The message with each hidden run replaced by the marker, widened to whole characters so
    /// that no half of a multi-byte character is left behind.
    private static func rebuild(_ bytes: [UInt8], hiding hidden: [Bool]) -> String {
        var hidden = hidden
        func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
        for index in stride(from: bytes.count - 1, to: 0, by: -1) where hidden[index] && isContinuation(bytes[index]) {
            hidden[index - 1] = true
        }
        for index in bytes.indices.dropFirst() where hidden[index - 1] && isContinuation(bytes[index]) {
            hidden[index] = true
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if hidden[index] {
                output += marker.utf8
                while index < bytes.count, hidden[index] { index += 1 }
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Finding secrets

    private mutating func addSecret(_ range: Range<Int>, decoded: [UInt8]) {
        guard !range.isEmpty else { return }
        spans.append(range)
        candidates.append(Array(input[range]))
        if !decoded.isEmpty, !decoded.elementsEqual(input[range]) { candidates.append(decoded) }
    }

    private mutating func findURLSecrets(from start: Int) {
        // Conservative: an '@' after the first '/' or '?' may belong to a database name or a
        // query value, which libpq accepts raw.
        let authorityEnd = input[start...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? input.endIndex
        hasAmbiguousUserinfo = input[start..<authorityEnd].lazy.filter { $0 == UInt8(ascii: "@") }.count > 1
        var hostStart = start
        if let firstAt = input[start...].firstIndex(of: UInt8(ascii: "@")) {
            // libpq ends the userinfo at the first '@'. A password with a raw '@' or '/' ends
            // later: take the last '@' before the first '/' that follows the first '@'.
            let slash = input[firstAt...].firstIndex(of: UInt8(ascii: "/")) ?? input.endIndex
            let lastAt = input[firstAt..<slash].lastIndex(of: UInt8(ascii: "@")) ?? firstAt
            if let colon = input[start..<lastAt].firstIndex(of: UInt8(ascii: ":")) {
                addSecret((colon + 1)..<lastAt, decoded: percentDecoded((colon + 1)..<lastAt))
                if colon < firstAt, firstAt < lastAt {
                    // What libpq itself takes for the password, should a later message quote it.
                    addSecret((colon + 1)..<firstAt, decoded: percentDecoded((colon + 1)..<firstAt))
                }
            }
            hostStart = lastAt + 1
        }
        // Query parameters follow the first '?' after the host and path; libpq decodes keys too,
        // so `pass%77ord=` is a password.
        guard let question = input[hostStart...].firstIndex(of: UInt8(ascii: "?")) else { return }
        var parameterStart = question + 1
        while parameterStart < input.count {
            let end = input[parameterStart...].firstIndex(of: UInt8(ascii: "&")) ?? input.count
            if let equals = input[parameterStart..<end].firstIndex(of: UInt8(ascii: "=")),
               Self.secretKeywords.contains(percentDecoded(parameterStart..<equals))
            {
                addSecret((equals + 1)..<end, decoded: percentDecoded((equals + 1)..<end))
            }
            parameterStart = end + 1
        }
    }

    /// Reads `key = value` pairs as libpq's `conninfo_parse` does, stopping where it stops.
    private mutating func findDSNSecrets() {
        let count = input.count
        var index = 0
        var afterUnquotedSecret = false
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        while index < count {
            while index < count, isSpace(input[index]) { index += 1 }
            guard index < count else { return }
            let keywordStart = index
            while index < count, input[index] != UInt8(ascii: "="), !isSpace(input[index]) { index += 1 }
            let keyword = keywordStart..<index
            while index < count, isSpace(input[index]) { index += 1 }
            if afterUnquotedSecret {
                // `password=S3cr 3t`: libpq reads "3t" as the next keyword and quotes it.
                addSecret(keyword, decoded: [])
            }
            for secret in Self.secretKeywords where input[keyword].starts(with: secret) && keyword.count > secret.count {
                // `passwordS3cr3t`: the '=' is missing and libpq quotes the whole word.
                addSecret((keyword.lowerBound + secret.count)..<keyword.upperBound, decoded: [])
            }
            guard index < count, input[index] == UInt8(ascii: "=") else { return }
            index += 1
            while index < count, isSpace(input[index]) { index += 1 }
            let valueStart = index
            var value: [UInt8] = []
            let quoted = index < count && input[index] == UInt8(ascii: "'")
            if quoted {
                index += 1
                while index < count {
                    let byte = input[index]
                    index += 1
                    if byte == UInt8(ascii: "\\") {
                        if index < count { value.append(input[index]); index += 1 }
                    } else if byte == UInt8(ascii: "'") {
                        break
                    } else {
                        value.append(byte)
                    }
                }
            } else {
                while index < count, !isSpace(input[index]) {
                    let byte = input[index]
                    index += 1
                    if byte == UInt8(ascii: "\\") {
                        if index < count { value.append(input[index]); index += 1 }
                    } else {
                        value.append(byte)
                    }
                }
            }
            let isSecret = Self.secretKeywords.contains { $0.elementsEqual(input[keyword]) }
            if isSecret { addSecret(valueStart..<index, decoded: value) }
            afterUnquotedSecret = isSecret && !quoted
        }
    }

    /// `%XX` decoded as libpq decodes URLs; a malformed escape is kept as written.
    private func percentDecoded(_ range: Range<Int>) -> [UInt8] {
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var result: [UInt8] = []
        result.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            if input[index] == UInt8(ascii: "%"), index + 2 < range.upperBound,
               let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(input[index])
                index += 1
            }
        }
        return result
    }
}
