/// Splits a script into its statements where psql would: at semicolons outside string literals,
/// quoted identifiers, dollar-quoted bodies, comments, parentheses and the `BEGIN ATOMIC … END`
/// body of a `CREATE FUNCTION` or `CREATE PROCEDURE` (psql's own heuristic for those).
///
/// It exists so a session can refuse a script with a transaction-control statement anywhere in it
/// before sending anything, not only as its first word. It does not parse SQL: the server still
/// decides what the script means. `'…'` strings are read as `standard_conforming_strings = on`
/// (the default since PostgreSQL 9.1) reads them: a backslash escapes only in `E'…'`.
enum ScriptStatements {
    /// The statements of `text`, each from its first word (after white space and comments) to
    /// before its semicolon; blank ones are left out.
    static func split(_ text: String) -> [Substring] {
        let utf8 = text.utf8
        var scanner = Scanner(bytes: Array(utf8))
        var statements: [Substring] = []
        while let range = scanner.nextStatement() {
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let upper = utf8.index(lower, offsetBy: range.count)
            statements.append(text[lower..<upper])
        }
        return statements
    }

    /// Walks the script's bytes token by token, far enough to know which semicolons end a
    /// statement. Every delimiter it looks for is ASCII, so it never splits a UTF-8 sequence.
    private struct Scanner {
        let bytes: [UInt8]
        private var index = 0
        private var parenDepth = 0
        /// `BEGIN` (and `CASE` inside one) minus `END`, counted only in `CREATE FUNCTION` and
        /// `CREATE PROCEDURE` statements, where a `BEGIN ATOMIC` body holds semicolons.
        private var beginDepth = 0
        /// The first letter of each of the statement's first four words when it is one of
        /// create/or/replace/function/procedure, else 0: enough to recognise
        /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
        private var leadingWords: [UInt8] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        /// The next statement that is not blank, from its first token to before the semicolon
        /// that ends it (or the end of the text); nil when none is left.
        mutating func nextStatement() -> Range<Int>? {
            while index < bytes.count {
                let (first, end) = nextStatementBounds()
                if let first { return first..<end }
            }
            return nil
        }

        /// Reads one statement: where its first token is (nil for a blank one) and where it ends.
        private mutating func nextStatementBounds() -> (first: Int?, end: Int) {
            var first: Int?
            parenDepth = 0
            beginDepth = 0
            leadingWords.removeAll(keepingCapacity: true)
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                    while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                    continue
                }
                if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                    skipBlockComment()
                    continue
                }
                if byte == UInt8(ascii: ";") && parenDepth == 0 && beginDepth == 0 {
                    index += 1
                    return (first, index - 1)
                }
                if first == nil && !Self.isSpace(byte) { first = index }
                switch byte {
                case UInt8(ascii: "'"):
                    skipQuoted(UInt8(ascii: "'"), backslashEscapes: false)
                case UInt8(ascii: "\""):
                    skipQuoted(UInt8(ascii: "\""), backslashEscapes: false)
                case UInt8(ascii: "$"):
                    skipDollar()
                case UInt8(ascii: "("):
                    parenDepth += 1
                    index += 1
                case UInt8(ascii: ")"):
                    parenDepth = max(0, parenDepth - 1)
                    index += 1
                default:
                    if Self.startsWord(byte) {
                        readWord()
                    } else if Self.isDigit(byte) {
                        // A number, letters and all (`1e5`, `0x1F`): never a word.
                        while index < bytes.count && (Self.continuesWord(bytes[index]) || bytes[index] == UInt8(ascii: ".")) { index += 1 }
                    } else {
                        index += 1
                    }
                }
            }
            return (first, index)
        }

        private func peek(_ offset: Int) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        /// `/* … */`, which nests in PostgreSQL.
        private mutating func skipBlockComment() {
            index = LeadingKeyword.endOfBlockComment(in: bytes, from: index)
        }

        /// A literal or identifier from its opening quote; a doubled quote stays inside it.
        private mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes && byte == UInt8(ascii: "\\") {
                    index += 2
                } else if byte == quote {
                    index += 1
                    guard index < bytes.count, bytes[index] == quote else { return }
                    index += 1
                } else {
                    index += 1
                }
            }
        }

        /// `$tag$ … $tag$` or `$$ … $$`; any other `$` (a parameter, `$1`) is one byte.
        private mutating func skipDollar() {
            var end = index + 1
            if end < bytes.count && Self.startsWord(bytes[end]) {
                end += 1
                while end < bytes.count && Self.continuesWord(bytes[end]) && bytes[end] != UInt8(ascii: "$") { end += 1 }
            }
            guard end < bytes.count, bytes[end] == UInt8(ascii: "$") else {
                index += 1
                return
            }
            let tag = bytes[index...end]
            var search = end + 1
            while search + tag.count <= bytes.count {
                if bytes[search] == UInt8(ascii: "$") && bytes[search..<search + tag.count].elementsEqual(tag) {
                    index = search + tag.count
                    return
                }
                search += 1
            }
            index = bytes.count
        }

        /// An unquoted word: a keyword or identifier (`$` may continue one, as in `a$b`).
        private mutating func readWord() {
            let start = index
            while index < bytes.count && Self.continuesWord(bytes[index]) { index += 1 }
            let word = bytes[start..<index]
            // `E'…'` is the one literal in which a backslash escapes.
            if word.count == 1, word.first.map({ $0 | 0x20 }) == UInt8(ascii: "e"), index < bytes.count, bytes[index] == UInt8(ascii: "'") {
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: true)
                return
            }
            if leadingWords.count < 4 {
                let routineWords: [String] = ["create", "or", "replace", "function", "procedure"]
                let matches = routineWords.contains { Self.equalsIgnoringCase(word, $0) }
                leadingWords.append(matches ? (word[start] | 0x20) : 0)
            }
            guard isCreateRoutine, parenDepth == 0 else { return }
            if Self.equalsIgnoringCase(word, "begin") {
                beginDepth += 1
            } else if Self.equalsIgnoringCase(word, "case") {
                // CASE ends with END too; it only matters inside a BEGIN.
                if beginDepth >= 1 { beginDepth += 1 }
            } else if Self.equalsIgnoringCase(word, "end") {
                if beginDepth > 0 { beginDepth -= 1 }
            }
        }

        /// The statement so far is `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
        private var isCreateRoutine: Bool {
            func letter(_ position: Int) -> UInt8 { position < leadingWords.count ? leadingWords[position] : 0 }
            let c = UInt8(ascii: "c"), f = UInt8(ascii: "f"), p = UInt8(ascii: "p"), o = UInt8(ascii: "o"), r = UInt8(ascii: "r")
            guard letter(0) == c else { return false }
            if letter(1) == f || letter(1) == p { return true }
            return letter(1) == o && letter(2) == r && (letter(3) == f || letter(3) == p)
        }

        private static func equalsIgnoringCase(_ word: ArraySlice<UInt8>, _ lowercase: String) -> Bool {
            word.count == lowercase.utf8.count && zip(word, lowercase.utf8).allSatisfy { $0 | 0x20 == $1 }
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
                || byte == 0x0B || byte == 0x0C
        }

        private static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        /// A letter, `_`, or any byte of a non-ASCII character, as PostgreSQL's lexer counts them.
        private static func startsWord(_ byte: UInt8) -> Bool {
            let folded = byte | 0x20
            return (folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte >= 0x80
        }

        private static func continuesWord(_ byte: UInt8) -> Bool {
            startsWord(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
        }
    }
}
