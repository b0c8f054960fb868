/// What Tusk knows about one table column's type, read from the catalog once per connection:
/// enough to encode a value into the column's own binary format.
///
/// Domains are resolved to their base types (`pg_type.typbasetype`, recursively): the binary form
/// of a domain is its base type's. Array columns also know their element type (itself resolved).
struct PostgresColumnType: Hashable, Sendable {
    /// A resolved (non-domain) type.
    struct BaseType: Hashable, Sendable {
        /// The type's OID.
        var oid: PostgresDataType
        /// The type's SQL name without modifiers (`format_type(oid, NULL)`), quoted and qualified
        /// as needed: usable in a cast.
        var sqlName: String
        /// An `ENUM` type (`typtype 'e'`): its binary form is the label's text.
        var isEnum = false
        /// A type whose binary input is text's (`citext`, …: its receive function is `textrecv`).
        var hasTextReceive = false
    }

    /// The column name.
    var column: String
    /// The column's declared type (a domain's own OID for a domain column).
    var declared: PostgresDataType
    /// The declared type as the server prints it, with modifiers (`character varying(20)`), for
    /// messages.
    var declaredSQL: String
    /// The declared type with domains resolved.
    var base: BaseType
    /// For an array column, its element type (domains resolved).
    var element: BaseType?
    /// For an array column, the element type its array type names — a domain's own OID for an
    /// array of a domain. The binary array header must carry this one.
    var elementDeclared: PostgresDataType?

    /// Whether the column holds arrays.
    var isArray: Bool { element != nil }

    /// Whether values of this base type are stored from the same bytes as `text`: text-like
    /// built-ins, enums and text-like extension types. `name` (length limit) and JSON (syntax,
    /// version byte) are handled apart.
    static func storesText(_ type: BaseType) -> Bool {
        switch type.oid {
        case .text, .varchar, .bpchar: true
        default: type.isEnum || type.hasTextReceive
        }
    }
}
