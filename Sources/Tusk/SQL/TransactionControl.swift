/// Recognises statements that control a transaction (`BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`,
/// …) from their leading keywords, after white space and comments, without parsing SQL and
/// without allocating: it runs in front of every session statement.
enum TransactionControl {
    /// The keywords a session refuses as the first word of a statement. `PREPARE` only counts
    /// when followed by `TRANSACTION` (a plain `PREPARE name AS …` is fine).
    private static let keywords: [StaticString] = ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"]

    /// The transaction-control keyword `text` starts with (upper-cased), or nil.
    static func keyword(of text: String) -> String? {
        var bytes = text.utf8[...]
        skipSpaceAndComments(&bytes)
        guard let first = bytes.first else { return nil }
        switch first & 0xDF {
        case UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "C"), UInt8(ascii: "E"), UInt8(ascii: "P"), UInt8(ascii: "R"),
             UInt8(ascii: "S"):
            break
        default:
            return nil
        }
        for keyword in keywords where startsWithWord(bytes, keyword) {
            return keyword.description
        }
        if startsWithWord(bytes, "PREPARE") {
            var rest = bytes.dropFirst(7)
            skipSpaceAndComments(&rest)
            if startsWithWord(rest, "TRANSACTION") { return "PREPARE TRANSACTION" }
        }
        return nil
    }

    /// Whether `bytes` starts with `word` (ASCII, any case) followed by a non-letter.
    private static func startsWithWord(_ bytes: Substring.UTF8View, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        var index = bytes.startIndex
        for offset in 0..<count {
            guard index < bytes.endIndex, bytes[index] & 0xDF == word.utf8Start[offset] else { return false }
            index = bytes.index(after: index)
        }
        guard index < bytes.endIndex else { return true }
        let next = bytes[index] & 0xDF
        return !(next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z")) && bytes[index] != UInt8(ascii: "_")
    }

    private static func skipSpaceAndComments(_ bytes: inout Substring.UTF8View) {
        while let first = bytes.first {
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\n") || first == UInt8(ascii: "\t") || first == UInt8(ascii: "\r") {
                bytes = bytes.dropFirst()
            } else if bytes.starts(with: "--".utf8) {
                bytes = bytes.drop { $0 != UInt8(ascii: "\n") }
            } else if bytes.starts(with: "/*".utf8) {
                guard let end = bytes.firstRange(of: "*/".utf8) else {
                    bytes = bytes[bytes.endIndex...]
                    return
                }
                bytes = bytes[end.upperBound...]
            } else {
                return
            }
        }
    }
}
