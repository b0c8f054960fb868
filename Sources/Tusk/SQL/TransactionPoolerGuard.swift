/// Which statements cannot run through a pooler in transaction mode, read from their text without
/// parsing SQL: statements whose effect outlives their transaction, which the next transaction
/// — on another server session — would not see, or another client would.
enum TransactionPoolerGuard {
    /// Why `text` cannot run through a transaction-mode pooler, or nil when it can.
    static func refusal(of text: String) -> String? {
        var bytes = text.utf8[...]
        LeadingKeyword.skipSpaceAndComments(&bytes)
        for word in sessionStatements where LeadingKeyword.startsWithWord(bytes, word) {
            return "\(word) lasts beyond its transaction"
        }
        if LeadingKeyword.startsWithWord(bytes, "SET") || LeadingKeyword.startsWithWord(bytes, "RESET") {
            var rest = bytes.drop { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
            LeadingKeyword.skipSpaceAndComments(&rest)
            let transactionScoped = LeadingKeyword.startsWithWord(bytes, "SET")
                && (LeadingKeyword.startsWithWord(rest, "LOCAL") || LeadingKeyword.startsWithWord(rest, "TRANSACTION")
                    || LeadingKeyword.startsWithWord(rest, "CONSTRAINTS"))
            if !transactionScoped { return "a session-level SET or RESET lasts beyond its transaction; use SET LOCAL" }
        }
        if LeadingKeyword.startsWithWord(bytes, "DECLARE"), contains(text, "with hold") {
            return "a WITH HOLD cursor lasts beyond its transaction"
        }
        for function in sessionAdvisoryLockFunctions where contains(text, function) {
            return "\(function) takes a session-level advisory lock; use the pg_advisory_xact_ forms"
        }
        return nil
    }

    /// Whether `text` contains `needle` (lower-case ASCII), comparing ASCII letters in any case,
    /// without building a lower-cased copy of every statement.
    private static func contains(_ text: String, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        var text = text   // a native string is contiguous already: withUTF8 then copies nothing
        return text.withUTF8 { bytes in
            guard count > 0, bytes.count >= count else { return false }
            return needle.withUTF8Buffer { needle in
                (0...(bytes.count - count)).contains { start in
                    (0..<count).allSatisfy { offset in
                        let byte = bytes[start + offset]
                        let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                        return lower == needle[offset]
                    }
                }
            }
        }
    }

    private static let sessionStatements: [StaticString] = ["LISTEN", "UNLISTEN", "PREPARE", "DEALLOCATE", "DISCARD"]

    /// Session-level advisory lock functions; the `_xact_` forms do not contain these names.
    private static let sessionAdvisoryLockFunctions: [StaticString] = ["pg_advisory_lock", "pg_try_advisory_lock", "pg_advisory_unlock"]
}
