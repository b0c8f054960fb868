/// The fields of a model an HTTP API lets a request filter and sort by: public names mapped to
/// key paths. A request can name only these; each key path's type says how a parameter's text
/// parses. Parsing needs no database, and every failure is a ``RequestParameterError`` naming
/// the parameter — Advanced Alchemy's `OrderBy`, `SearchFilter`, `BeforeAfter`,
/// `CollectionFilter`, `NotInCollectionFilter` and `NullFilter`, from query strings.
///
/// ```swift
/// let postFields = RequestFields<Post>([
///     "title": .field(\.title), "body": .field(\.body), "views": .field(\.views),
///     "author_id": .field(\.authorID), "published_at": .field(\.publishedAt),
/// ])
///
/// // GET /posts?sort=-published_at&q=50%25_off&published_after=2024-05-01&author_id=1,2&limit=20
/// let query = request.query
/// var filter = Filter<Post>.all
/// if let text = query["q"] { filter = try filter && postFields.search(text, in: ["title", "body"], ignoringCase: true, parameter: "q") }
/// if let after = query["published_after"] { filter = try filter && postFields.after("published_at", after, parameter: "published_after") }
/// if let ids = query["author_id"] { filter = try filter && postFields.in("author_id", ids.split(separator: ",").map(String.init)) }
/// let order = try postFields.order(query["sort"] ?? "-published_at", parameter: "sort")
/// let window = try LimitOffset(limit: query["limit"], offset: query["offset"])
/// let page = try await posts.page(where: filter, orderBy: order, limitOffset: window)
/// ```
///
/// The filters compose with the key-path ones (`&&`, `||`, `!`).
public struct RequestFields<M: Model>: Sendable {
    private let fields: [String: RequestField<M>]

    /// The fields a request may name, by their public names.
    public init(_ fields: [String: RequestField<M>]) {
        self.fields = fields
    }

    /// The public names, sorted: what an error or an API's documentation can list.
    public var names: [String] { fields.keys.sorted() }

    // MARK: - Order

    /// Sort keys from one parameter: comma-separated field names, each optionally prefixed with
    /// `-` (descending) or `+` (ascending): `"-published_at,title"`.
    ///
    /// - Throws: ``RequestParameterError`` with `unknownField` for a name not in the whitelist,
    ///   `invalidValue` for an empty key.
    public func order(_ text: String, parameter: String = "orderBy") throws -> [Order<M>] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { key in
            var name = String(key)
            var descending = false
            if let sign = name.first, sign == "-" || sign == "+" {
                descending = sign == "-"
                name.removeFirst()
            }
            guard !name.isEmpty else {
                throw RequestParameterError(parameter: parameter, .invalidValue,
                                            "\(RequestParameterError.quoted(text)) has an empty sort key")
            }
            return try order(name, descending: descending, parameter: parameter)
        }
    }

    /// One sort key from a field parameter and a direction parameter (`asc` or `desc`, in any
    /// case): Advanced Alchemy's `OrderBy(field_name, sort_order)`.
    ///
    /// - Throws: ``RequestParameterError`` with `unknownField` (naming `fieldParameter`) or
    ///   `invalidValue` for a direction other than asc/desc (naming `directionParameter`).
    public func order(field name: String, direction: String, fieldParameter: String = "orderBy",
                      directionParameter: String = "sortOrder") throws -> Order<M> {
        let descending: Bool
        switch direction.lowercased() {
        case "asc", "ascending": descending = false
        case "desc", "descending": descending = true
        default:
            throw RequestParameterError(parameter: directionParameter, .invalidValue,
                                        "\(RequestParameterError.quoted(direction)) is neither asc nor desc")
        }
        return try order(name, descending: descending, parameter: fieldParameter)
    }

    // MARK: - Filters

    /// Any of the text fields `names` contains `text`, literally (`%` and `_` are not
    /// wildcards): see ``Filter/search(_:in:ignoringCase:)``.
    ///
    /// - Throws: ``RequestParameterError`` with `unknownField` for a name that is not a text field
    ///   of the whitelist, `invalidValue` for text with a NUL character.
    public func search(_ text: String, in names: [String], ignoringCase: Bool = false,
                       parameter: String = "searchString") throws -> Filter<M> {
        guard String(requestText: text) != nil else {
            throw RequestParameterError(parameter: parameter, .invalidValue, "search text cannot contain NUL characters")
        }
        guard !names.isEmpty else {
            throw RepositoryError(.invalidArgument, "a search of \(M.entityName) needs at least one field")
        }
        let columns = try names.map { name in
            let field = try self.field(name, parameter: parameter)
            guard field.kind == .text else {
                throw RequestParameterError(parameter: parameter, .unknownField,
                                            "\(RequestParameterError.quoted(name)) is not a text field, so it cannot be searched")
            }
            return try field.column.get()
        }
        return Filter.search(text, columns: columns, ignoringCase: ignoringCase)
    }

    /// The date field `name` is before the moment `text` spells (ISO 8601): Advanced Alchemy's
    /// `BeforeAfter(before:)`, or `OnBeforeAfter` when `inclusive`.
    ///
    /// - Throws: ``RequestParameterError`` with `unknownField` for a name not in the whitelist or
    ///   not a date field, `invalidValue` for text that is not a date. `parameter` defaults to
    ///   `name`.
    public func before(_ name: String, _ text: String, inclusive: Bool = false, parameter: String? = nil) throws -> Filter<M> {
        try dateComparison(name, inclusive ? "<=" : "<", text, parameter: parameter ?? name)
    }

    /// The date field `name` is after the moment `text` spells (ISO 8601).
    ///
    /// - Throws: as ``before(_:_:inclusive:parameter:)``.
    public func after(_ name: String, _ text: String, inclusive: Bool = false, parameter: String? = nil) throws -> Filter<M> {
        try dateComparison(name, inclusive ? ">=" : ">", text, parameter: parameter ?? name)
    }

    /// The field `name` equals one of `values`, each parsed as the field's type: Advanced
    /// Alchemy's `CollectionFilter`. No values match no row.
    ///
    /// - Throws: ``RequestParameterError`` with `unknownField`, or `invalidValue` naming the
    ///   first value that does not parse. `parameter` defaults to `name`.
    public func `in`(_ name: String, _ values: [String], parameter: String? = nil) throws -> Filter<M> {
        try membership(name, values, negated: false, parameter: parameter ?? name)
    }

    /// The field `name` equals none of `values` (NULL columns do not match): Advanced Alchemy's
    /// `NotInCollectionFilter`. No values exclude no row.
    ///
    /// - Throws: as ``in(_:_:parameter:)``.
    public func notIn(_ name: String, _ values: [String], parameter: String? = nil) throws -> Filter<M> {
        try membership(name, values, negated: true, parameter: parameter ?? name)
    }

    /// `IS NULL` when `flag` is true (`true`/`1`), `IS NOT NULL` when false (`false`/`0`), on an
    /// optional field: Advanced Alchemy's `NullFilter`.
    ///
    /// - Throws: ``RequestParameterError`` with `unknownField` for a name not in the whitelist or
    ///   whose column is never NULL, `invalidValue` for a flag that is not a bool. `parameter`
    ///   defaults to `name`.
    public func isNull(_ name: String, _ flag: String, parameter: String? = nil) throws -> Filter<M> {
        let parameter = parameter ?? name
        let field = try self.field(name, parameter: parameter)
        guard field.isOptional else {
            throw RequestParameterError(parameter: parameter, .unknownField,
                                        "\(RequestParameterError.quoted(name)) is never null")
        }
        guard let isNull = Bool(requestText: flag) else {
            throw RequestParameterError(parameter: parameter, .invalidValue,
                                        "\(RequestParameterError.quoted(flag)) is not \(Bool.requestTextDescription)")
        }
        return Filter("\(ident: try field.column.get()) \(unsafeRaw: isNull ? "IS NULL" : "IS NOT NULL")")
    }

    // MARK: - Private

    private func field(_ name: String, parameter: String) throws -> RequestField<M> {
        guard let field = fields[name] else {
            throw RequestParameterError(parameter: parameter, .unknownField,
                                        "\(RequestParameterError.quoted(name)) is not a field of \(M.entityName) this API accepts")
        }
        return field
    }

    private func order(_ name: String, descending: Bool, parameter: String) throws -> Order<M> {
        let field = try self.field(name, parameter: parameter)
        return Order(column: try field.column.get(), descending: descending, nulls: nil, valueType: field.valueType)
    }

    private func dateComparison(_ name: String, _ op: String, _ text: String, parameter: String) throws -> Filter<M> {
        let field = try self.field(name, parameter: parameter)
        guard field.kind == .date else {
            throw RequestParameterError(parameter: parameter, .unknownField, "\(RequestParameterError.quoted(name)) is not a date field")
        }
        guard let value = field.bindOne(text) else {
            throw RequestParameterError(parameter: parameter, .invalidValue,
                                        "\(RequestParameterError.quoted(text)) is not \(field.valueDescription)")
        }
        return Filter("\(ident: try field.column.get()) \(unsafeRaw: op) \(value)")
    }

    private func membership(_ name: String, _ values: [String], negated: Bool, parameter: String) throws -> Filter<M> {
        let field = try self.field(name, parameter: parameter)
        switch field.bindAll(values) {
        case .success(let array):
            return Filter.membership("\(ident: try field.column.get())", array: array, negated: negated, error: nil)
        case .failure(let bad):
            throw RequestParameterError(parameter: parameter, .invalidValue,
                                        "\(RequestParameterError.quoted(values[bad.index])) is not \(field.valueDescription)")
        }
    }
}
