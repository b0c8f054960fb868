/// Reads the first words of a statement without parsing SQL and without allocating: white space
/// and `--` / `/* */` comments are skipped, words compare ASCII case-insensitively.
enum LeadingKeyword {
    /// Drops white space and comments from the front of `bytes`.
    static func skipSpaceAndComments(_ bytes: inout Substring.UTF8View) {
        while let first = bytes.first {
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\n") || first == UInt8(ascii: "\t") || first == UInt8(ascii: "\r") {
                bytes = bytes.dropFirst()
            } else if bytes.starts(with: "--".utf8) {
                bytes = bytes.drop { $0 != UInt8(ascii: "\n") }
            } else if bytes.starts(with: "/*".utf8) {
                skipBlockComment(&bytes)
            } else {
                return
            }
        }
    }

    /// Drops a block comment from the front of `bytes`.
    private static func skipBlockComment(_ bytes: inout Substring.UTF8View) {
        bytes = bytes[endOfBlockComment(in: bytes, from: bytes.startIndex)...]
    }

    /// Where the block comment that opens at `start` (its `/*`) ends: just past its `*/`, or
    /// `endIndex` when it is never closed (the server refuses such text anyway). PostgreSQL's
    /// block comments nest (`/* a /* b */ c */` is one comment), so a depth is counted. Shared by
    /// this reader and the script splitter, so that both see the same comment.
    static func endOfBlockComment<Bytes: Collection<UInt8>>(in bytes: Bytes, from start: Bytes.Index) -> Bytes.Index {
        var depth = 0
        var index = start
        while index < bytes.endIndex {
            let next = bytes.index(after: index)
            guard next < bytes.endIndex else { break }
            if bytes[index] == UInt8(ascii: "/"), bytes[next] == UInt8(ascii: "*") {
                depth += 1
                index = bytes.index(after: next)
            } else if bytes[index] == UInt8(ascii: "*"), bytes[next] == UInt8(ascii: "/") {
                depth -= 1
                index = bytes.index(after: next)
                if depth == 0 { return index }
            } else {
                index = next
            }
        }
        return bytes.endIndex
    }

    /// Whether `bytes` starts with `word` (ASCII, any case) followed by something that is not
    /// part of a word.
    static func startsWithWord(_ bytes: Substring.UTF8View, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        var index = bytes.startIndex
        for offset in 0..<count {
            guard index < bytes.endIndex, bytes[index] & 0xDF == word.utf8Start[offset] else { return false }
            index = bytes.index(after: index)
        }
        guard index < bytes.endIndex else { return true }
        let next = bytes[index] & 0xDF
        return !(next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z")) && bytes[index] != UInt8(ascii: "_")
            && !(bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9"))
    }

    /// Whether the statement's first word is `word`.
    static func statement(_ text: String, startsWith word: StaticString) -> Bool {
        var bytes = text.utf8[...]
        skipSpaceAndComments(&bytes)
        return startsWithWord(bytes, word)
    }

    /// The statement's first word in upper case (`SELECT`, `WITH`, `INSERT`), or nil when it
    /// starts with something else or runs past 15 letters; built on the stack, and a small
    /// string, so it costs no allocation.
    static func firstWord(_ text: String) -> String? {
        var bytes = text.utf8[...]
        skipSpaceAndComments(&bytes)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { word -> String? in
            var count = 0
            for byte in bytes.prefix(16) {
                let upper = byte & 0xDF
                guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z") else { break }
                word[count] = upper
                count += 1
            }
            guard count > 0, count <= 15 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: word[0..<count]), as: UTF8.self)
        }
    }
}
