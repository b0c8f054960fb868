/// A SQL statement or fragment whose interpolated values are bound, never spliced into the text.
///
/// ```swift
/// let email = "o'brien@example.com"
/// let query: SQL = "SELECT * FROM users WHERE email = \(email) AND age > \(30)"
/// // text: SELECT * FROM users WHERE email = $1 AND age > $2   bindings: [text, int8]
/// ```
///
/// Identifiers are quoted with ``StringInterpolation/appendInterpolation(ident:)``; raw text needs
/// the visibly unsafe ``StringInterpolation/appendInterpolation(unsafeRaw:)``. Fragments nest, and
/// their placeholders are renumbered:
///
/// ```swift
/// let filter: SQL = "age > \(30)"
/// let query: SQL = "SELECT * FROM \(ident: "users") WHERE name = \(name) AND \(filter)"
/// // SELECT * FROM "users" WHERE name = $1 AND age > $2
/// ```
///
/// A value that cannot be encoded (a string containing NUL, say) does not make interpolation
/// throw: the statement carries the error and throws it when executed, before anything is sent.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// PostgreSQL's protocol limit on parameters in one statement.
    public static let maximumParameterCount = 65_535

    /// The text between placeholders: `segments[0] $1 segments[1] $2 … segments[n]`.
    var segments: [String]
    /// The bound values.
    public internal(set) var bindings: PostgresBindings

    /// An empty fragment.
    public init() {
        segments = [""]
        bindings = PostgresBindings()
    }

    /// A statement from a string literal with no interpolations.
    public init(stringLiteral value: String) {
        segments = [value]
        bindings = PostgresBindings()
    }

    /// A statement from an interpolated string literal.
    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.sql
    }

    /// A fragment of raw SQL text, used as it is.
    ///
    /// - Warning: Never pass text that contains user input: it is not escaped. Bind values with
    ///   interpolation and quote identifiers with `\(ident:)`.
    public init(unsafeRaw text: String) {
        segments = [text]
        bindings = PostgresBindings()
    }

    /// The statement text, with `$1 … $n` where values are bound.
    public var text: String {
        if segments.count == 1 { return segments[0] }
        var result = ""
        result.reserveCapacity(segments.reduce(0) { $0 + $1.utf8.count } + segments.count * 3)
        for (index, segment) in segments.enumerated() {
            if index > 0 {
                result += "$"
                result += String(index)
            }
            result += segment
        }
        return result
    }

    /// The statement text; bound values are never shown.
    public var description: String { text }

    /// Whether the fragment has no text and no values.
    public var isEmpty: Bool { segments.count == 1 && segments[0].isEmpty }

    /// Appends raw text.
    mutating func appendRaw(_ text: String) {
        segments[segments.count - 1] += text
    }

    /// Appends a bound value.
    mutating func appendValue<Value: PostgresEncodable>(_ value: Value) {
        bindings.append(value)
        segments.append("")
    }

    /// Appends another fragment, renumbering its placeholders after this one's.
    public mutating func append(_ other: SQL) {
        segments[segments.count - 1] += other.segments[0]
        segments.append(contentsOf: other.segments.dropFirst())
        bindings.append(contentsOf: other.bindings)
    }

    /// Appends a quoted identifier.
    mutating func appendIdentifier(_ name: String) {
        do {
            appendRaw(try SQL.quoteIdentifier(name))
        } catch let error as PostgresEncodingError {
            bindings.encodingError = bindings.encodingError ?? error
        } catch {}
    }

    /// Joins fragments with a separator, renumbering placeholders.
    ///
    /// ```swift
    /// let conditions: [SQL] = ["age > \(30)", "active = \(true)"]
    /// let query: SQL = "SELECT * FROM users WHERE \(SQL.join(conditions, separator: " AND "))"
    /// ```
    public static func join(_ fragments: some Sequence<SQL>, separator: String) -> SQL {
        var result = SQL()
        var first = true
        for fragment in fragments {
            if !first { result.appendRaw(separator) }
            result.append(fragment)
            first = false
        }
        return result
    }

    /// `"name"` with embedded double quotes doubled, as PostgreSQL expects.
    ///
    /// - Throws: ``PostgresEncodingError/Code/invalidIdentifier`` for an empty name or one that
    ///   contains NUL.
    public static func quoteIdentifier(_ name: String) throws -> String {
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw PostgresEncodingError(.invalidIdentifier, "identifier \(name.debugDescription) is empty or contains NUL")
        }
        if !name.utf8.contains(UInt8(ascii: "\"")) {
            return "\"" + name + "\""
        }
        return "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Throws the first value that failed to encode, or a too-many-parameters error.
    func validate() throws {
        try bindings.validate()
    }
}

extension SQL {
    /// Builds ``SQL`` from an interpolated string literal.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: SQL

        /// Creates an interpolation with room for the literal.
        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = SQL()
            sql.segments.reserveCapacity(interpolationCount + 1)
            sql.segments[0].reserveCapacity(literalCapacity)
        }

        /// Appends literal SQL text.
        public mutating func appendLiteral(_ literal: String) {
            sql.appendRaw(literal)
        }

        /// Binds a value as the next `$n`.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            sql.appendValue(value)
        }

        /// Binds an encoded field (from ``EncodedRow``) with its own type.
        public mutating func appendInterpolation(_ field: EncodedRow.Field) {
            sql.bindings.append(field)
            sql.segments.append("")
        }

        /// Appends a fragment, renumbering its placeholders.
        public mutating func appendInterpolation(_ fragment: SQL) {
            sql.append(fragment)
        }

        /// Appends a quoted identifier: `\(ident: "user table")` → `"user table"`.
        public mutating func appendInterpolation(ident name: String) {
            sql.appendIdentifier(name)
        }

        /// Appends a schema-qualified, quoted name: `\(ident: "app", "users")` → `"app"."users"`.
        public mutating func appendInterpolation(ident schema: String?, _ name: String) {
            if let schema {
                sql.appendIdentifier(schema)
                sql.appendRaw(".")
            }
            sql.appendIdentifier(name)
        }

        /// Appends quoted identifiers separated by commas: `"id", "email"`.
        public mutating func appendInterpolation(idents names: [String]) {
            for (index, name) in names.enumerated() {
                if index > 0 { sql.appendRaw(", ") }
                sql.appendIdentifier(name)
            }
        }

        /// Appends raw text as it is.
        ///
        /// - Warning: Never pass user input: it is not escaped.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            sql.appendRaw(text)
        }
    }
}
