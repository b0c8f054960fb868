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
        let lowered = text.lowercased()
        if LeadingKeyword.startsWithWord(bytes, "DECLARE"), lowered.contains("with hold") {
            return "a WITH HOLD cursor lasts beyond its transaction"
        }
        for function in sessionAdvisoryLockFunctions where lowered.contains(function) {
            return "\(function) takes a session-level advisory lock; use the pg_advisory_xact_ forms"
        }
        return nil
    }

    private static let sessionStatements: [StaticString] = ["LISTEN", "UNLISTEN", "PREPARE", "DEALLOCATE", "DISCARD"]

    /// Session-level advisory lock functions; the `_xact_` forms do not contain these names.
    private static let sessionAdvisoryLockFunctions = ["pg_advisory_lock", "pg_try_advisory_lock", "pg_advisory_unlock"]
}
