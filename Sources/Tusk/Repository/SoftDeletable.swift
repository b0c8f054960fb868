#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A model whose rows are marked deleted instead of removed: ``Repository/delete(_:)`` sets
/// `deleted_at`, reads skip marked rows unless asked (`includeDeleted: true`), and
/// ``Repository/restore(id:)`` and ``Repository/hardDelete(id:)`` exist. Models that do not adopt
/// it pay nothing.
///
/// ```swift
/// struct Post: Model, SoftDeletable {
///     static let tableName = "posts"
///     var id: Int64?
///     var title: String
///     var deletedAt: Date?
/// }
/// ```
public protocol SoftDeletable: Model {
    /// The deletion mark; nil while the row is live.
    var deletedAt: Date? { get set }
    /// The column holding the mark. Default `deleted_at`.
    static var deletedAtColumn: String { get }
}

extension SoftDeletable {
    /// `deleted_at`.
    public static var deletedAtColumn: String { "deleted_at" }
}

extension Repository {
    /// The soft-delete column of `M`, or nil when `M` is not ``SoftDeletable``.
    static var softDeleteColumn: String? {
        (M.self as? any SoftDeletable.Type)?.deletedAtColumn
    }
}
