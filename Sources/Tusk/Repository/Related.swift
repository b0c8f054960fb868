/// A model's related row (or rows), declared by a ``Relation`` and filled only when asked for:
/// `list(…, load: [\.author, \.tags])`. Not a column: Tusk never writes it, and a row read
/// from the database leaves it not loaded, so an unloaded relation is told apart from an
/// empty one.
///
/// ```swift
/// struct Post: Model {
///     static let tableName = "posts"
///     var id: Int64?
///     var authorID: Int64
///     var title: String
///     var author = Related<Author?>()   // belongs-to: nil when the key is NULL or the row is gone
///     var tags = Related<[Tag]>()       // many-to-many: [] when loaded and there are none
/// }
///
/// let post = try await posts.get(id: 1, load: [\.tags])
/// try post?.tags.get()      // [Tag]
/// try post?.author.get()    // throws: not loaded
/// ```
///
/// As JSON (for an API), a loaded value encodes as the value itself and an unloaded one as
/// `null`.
public struct Related<Value: Sendable>: Sendable {
    private var storage: Value?

    /// Not loaded.
    public init() {
        storage = nil
    }

    /// Loaded with `value`.
    public init(_ value: Value) {
        storage = value
    }

    /// Whether the relation was loaded.
    public var isLoaded: Bool { storage != nil }

    /// The loaded value, or nil when the relation was not loaded.
    public var loaded: Value? { storage }

    /// The loaded value.
    ///
    /// - Throws: ``RepositoryError`` with code `relationNotLoaded` when the relation was not
    ///   loaded: ask for it with `load:`.
    public func get() throws -> Value {
        guard let storage else {
            throw RepositoryError(.relationNotLoaded, "the relation \(Value.self) was not loaded: pass it in load:")
        }
        return storage
    }
}

extension Related: Equatable where Value: Equatable {}
extension Related: Hashable where Value: Hashable {}

extension Related: Encodable where Value: Encodable {
    /// Encodes the loaded value, or `null` when not loaded. Tusk's row encoder never calls
    /// this: a relation is not a column.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let storage { try container.encode(storage) } else { try container.encodeNil() }
    }
}

extension Related: Decodable where Value: Decodable {
    /// Decodes a loaded value, or not loaded from `null`. Tusk's row decoder never calls this:
    /// a row leaves a relation not loaded.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        storage = container.decodeNil() ? nil : try container.decode(Value.self)
    }
}

extension Related: NonColumnValue {
    static var notLoaded: Related { Related() }
}
