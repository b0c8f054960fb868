/// The slug rules of ``Sluggable/slugify(_:)``, in pure Swift: the library links no ICU, so
/// diacritics are folded from the Unicode names the standard library carries
/// (`LATIN SMALL LETTER E WITH ACUTE` is an `e`), which covers every precomposed Latin letter
/// without a table of them.
enum SlugRules {
    /// `text` as a slug of at most `maxLength` characters; empty when nothing in it is a letter or digit.
    static func slug(_ text: String, maxLength: Int) -> String {
        var slug = ""
        var separated = false
        for scalar in text.unicodeScalars {
            // Apostrophes join (Don't → dont); combining accents of decomposed text belong to
            // the letter before them.
            if scalar == "'" || scalar == "\u{2019}" || scalar.properties.generalCategory == .nonspacingMark { continue }
            guard let folded = fold(scalar) else {
                separated = true
                continue
            }
            if separated, !slug.isEmpty { slug.append("-") }
            separated = false
            slug += folded
        }
        return cut(slug, to: maxLength)
    }

    /// `slug` cut to `length` characters, without a `-` at either end.
    static func cut(_ slug: String, to length: Int) -> String {
        var cut = Substring(slug.prefix(max(0, length)))
        while cut.first == "-" { cut.removeFirst() }
        while cut.last == "-" { cut.removeLast() }
        return String(cut)
    }

    /// Latin letters whose names are not "a letter with something".
    private static let namedLetters: [Substring: String] = [
        "SHARP S": "ss", "THORN": "th", "ETH": "d", "DOTLESS I": "i", "DOTLESS J": "j", "LONG S": "s",
    ]

    /// The lowercase ASCII letters or digit a scalar stands for, or nil for a separator.
    static func fold(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "a"..."z", "0"..."9": return String(scalar)
        case "A"..."Z": return String(scalar).lowercased()
        default: break
        }
        guard !scalar.isASCII, let name = scalar.properties.name else { return nil }
        // LATIN (SMALL|CAPITAL) (LETTER|LIGATURE) <letters> [WITH <marks>]
        let words = name.split(separator: " ")
        guard words.count >= 4, words[0] == "LATIN", words[1] == "SMALL" || words[1] == "CAPITAL",
              words[2] == "LETTER" || words[2] == "LIGATURE" else { return nil }
        let letter = words[3...].prefix { $0 != "WITH" }.joined(separator: " ")
        if let named = namedLetters[Substring(letter)] { return named }
        guard (1...2).contains(letter.count), letter.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else { return nil }
        return letter.lowercased()
    }
}
