/// Filters on text a user typed: the text is matched literally, never read as a pattern.
///
/// ```swift
/// try await posts.list(where: .contains(\.title, "50%_off", ignoringCase: true))
/// // "title" ILIKE $1 ESCAPE E'\\'   with $1 = '%50\%\_off%'
/// ```
///
/// PostgreSQL's `LIKE` treats `%` and `_` as wildcards and, by default, backslash as their
/// escape. Tusk puts a backslash before each `%`, `_` and `\` of the text, binds the result and
/// names the escape explicitly (`ESCAPE E'\\'`, one backslash whatever
/// `standard_conforming_strings` says), so `50%_off` matches only the characters `50%_off`.
extension Filter {
    /// How a text filter anchors the user's text.
    enum TextAnchor {
        case anywhere, start, end

        func pattern(for text: String) -> String {
            let escaped = Filter.escapeLikeWildcards(text)
            switch self {
            case .anywhere: return "%" + escaped + "%"
            case .start: return escaped + "%"
            case .end: return "%" + escaped
            }
        }
    }

    /// The column contains `text` (`LIKE '%text%'`, `ILIKE` when `ignoringCase`), literally.
    public static func contains(_ keyPath: KeyPath<M, String>, _ text: String, ignoringCase: Bool = false) -> Filter {
        textMatch(keyPath, text, .anywhere, ignoringCase: ignoringCase)
    }

    /// The optional column contains `text`, literally (NULL never matches).
    public static func contains(_ keyPath: KeyPath<M, String?>, _ text: String, ignoringCase: Bool = false) -> Filter {
        textMatch(keyPath, text, .anywhere, ignoringCase: ignoringCase)
    }

    /// The column starts with `text` (`LIKE 'text%'`), literally.
    public static func startsWith(_ keyPath: KeyPath<M, String>, _ text: String, ignoringCase: Bool = false) -> Filter {
        textMatch(keyPath, text, .start, ignoringCase: ignoringCase)
    }

    /// The optional column starts with `text`, literally (NULL never matches).
    public static func startsWith(_ keyPath: KeyPath<M, String?>, _ text: String, ignoringCase: Bool = false) -> Filter {
        textMatch(keyPath, text, .start, ignoringCase: ignoringCase)
    }

    /// The column ends with `text` (`LIKE '%text'`), literally.
    public static func endsWith(_ keyPath: KeyPath<M, String>, _ text: String, ignoringCase: Bool = false) -> Filter {
        textMatch(keyPath, text, .end, ignoringCase: ignoringCase)
    }

    /// The optional column ends with `text`, literally (NULL never matches).
    public static func endsWith(_ keyPath: KeyPath<M, String?>, _ text: String, ignoringCase: Bool = false) -> Filter {
        textMatch(keyPath, text, .end, ignoringCase: ignoringCase)
    }

    /// Any of `fields` contains `text`, literally: Advanced Alchemy's `SearchFilter`, the
    /// conditions OR-ed.
    ///
    /// ```swift
    /// try await posts.list(where: .search(query, in: [\.title, \.body], ignoringCase: true))
    /// // ("title" ILIKE $1 ESCAPE E'\\' OR "body" ILIKE $2 ESCAPE E'\\')
    /// ```
    ///
    /// Each key path must be a `String` or `String?` property; anything else, or no fields at
    /// all, makes the filter throw ``RepositoryError`` when used, before anything is sent.
    public static func search(_ text: String, in fields: [PartialKeyPath<M>], ignoringCase: Bool = false) -> Filter {
        guard !fields.isEmpty else {
            return Filter(SQL(), error: RepositoryError(.invalidArgument, "a search of \(M.entityName) needs at least one field"))
        }
        let schema = ModelSchema.of(M.self)
        var columns: [String] = []
        for keyPath in fields {
            guard let column = schema.column(for: keyPath) else { return Filter(SQL(), error: schema.unknownColumn(keyPath, of: M.self)) }
            let valueType = type(of: keyPath).valueType
            guard valueType == String.self || valueType == String?.self else {
                return Filter(SQL(), error: RepositoryError(.invalidArgument, "\(keyPath) is not text: only String properties can be searched"))
            }
            columns.append(column)
        }
        return search(text, columns: columns, ignoringCase: ignoringCase)
    }

    // MARK: - Internal

    /// The OR of one escaped `LIKE` per column; the columns are already checked.
    static func search(_ text: String, columns: [String], ignoringCase: Bool) -> Filter {
        let conditions = columns.map { likeCondition("\(ident: $0)", TextAnchor.anywhere.pattern(for: text), ignoringCase: ignoringCase) }
        return Filter(conditions.count == 1 ? conditions[0] : "(\(SQL.join(conditions, separator: " OR ")))")
    }

    static func textMatch<Value>(_ keyPath: KeyPath<M, Value>, _ text: String, _ anchor: TextAnchor, ignoringCase: Bool) -> Filter {
        let (column, error) = self.column(keyPath)
        return Filter(likeCondition(column, anchor.pattern(for: text), ignoringCase: ignoringCase), error: error)
    }

    static func likeCondition(_ column: SQL, _ pattern: String, ignoringCase: Bool) -> SQL {
        "\(column) \(unsafeRaw: ignoringCase ? "ILIKE" : "LIKE") \(pattern) ESCAPE E'\\\\'"
    }

    /// `text` with a backslash before each `%`, `_` and `\`, so `LIKE … ESCAPE '\'` matches it
    /// character for character.
    static func escapeLikeWildcards(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
        return escaped
    }
}
