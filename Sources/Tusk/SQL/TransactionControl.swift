/// Recognises statements that control a transaction (`BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`,
/// …) from their leading keywords, after white space and comments, without parsing SQL and
/// without allocating: it runs in front of every session statement.
enum TransactionControl {
    /// The keywords a session refuses as the first word of a statement. `PREPARE` only counts
    /// when followed by `TRANSACTION` (a plain `PREPARE name AS …` is fine).
    private static let keywords: [StaticString] = ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"]

    /// The transaction-control keyword `text` starts with (upper-cased), or nil.
    static func keyword(of text: String) -> String? {
        keyword(leading: text.utf8[...])
    }

    /// The first transaction-control keyword that starts any statement of the script `text`, or
    /// nil: a script is refused for a `COMMIT` in its middle as much as for a `BEGIN` in front.
    static func keyword(inScript text: String) -> String? {
        for statement in ScriptStatements.split(text) {
            if let keyword = keyword(leading: statement.utf8) { return keyword }
        }
        return nil
    }

    private static func keyword(leading text: Substring.UTF8View) -> String? {
        var bytes = text
        LeadingKeyword.skipSpaceAndComments(&bytes)
        guard let first = bytes.first else { return nil }
        switch first & 0xDF {
        case UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "C"), UInt8(ascii: "E"), UInt8(ascii: "P"), UInt8(ascii: "R"),
             UInt8(ascii: "S"):
            break
        default:
            return nil
        }
        for keyword in keywords where LeadingKeyword.startsWithWord(bytes, keyword) {
            return keyword.description
        }
        if LeadingKeyword.startsWithWord(bytes, "PREPARE") {
            var rest = bytes.dropFirst(7)
            LeadingKeyword.skipSpaceAndComments(&rest)
            if LeadingKeyword.startsWithWord(rest, "TRANSACTION") { return "PREPARE TRANSACTION" }
        }
        return nil
    }
}
