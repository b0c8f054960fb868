#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The type of a key column a ``Relation`` matches on. An optional key column and a plain one
/// of the same type match each other (`Post.authorID: Int64` with `Author.id: Int64?`); NULL
/// matches nothing. `Int64`, `Int32`, `Int`, `String`, `UUID` and their optionals conform.
public protocol RelationKey: Sendable {
    /// The non-optional key type, bound as an array in `= ANY($1)`.
    associatedtype Matched: PostgresArrayElement & Hashable & Sendable
    /// The key, or nil for NULL.
    var matchedKey: Matched? { get }
}

extension Int64: RelationKey {
    /// The value itself.
    public var matchedKey: Int64? { self }
}

extension Int32: RelationKey {
    /// The value itself.
    public var matchedKey: Int32? { self }
}

extension Int: RelationKey {
    /// The value itself.
    public var matchedKey: Int? { self }
}

extension String: RelationKey {
    /// The value itself.
    public var matchedKey: String? { self }
}

extension UUID: RelationKey {
    /// The value itself.
    public var matchedKey: UUID? { self }
}

extension Optional: RelationKey where Wrapped: RelationKey {
    /// The wrapped key, or nil.
    public var matchedKey: Wrapped.Matched? { self?.matchedKey }
}
