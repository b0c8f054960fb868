#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A model whose rows carry when they were created and last updated, set by Tusk with the
/// server's `now()` (the transaction's start time): on insert when the model leaves them nil, and
/// `updated_at = now()` on every update — ``Repository/update(_:)``,
/// ``Repository/update(id:set:)``, ``Repository/updateWhere(_:set:includeDeleted:)``,
/// ``Repository/updateMany(_:columns:chunkSize:)``, an upsert's `DO UPDATE`, the updates a
/// session flushes, and the mark of a ``SoftDeletable`` model's delete or restore. The model a write returns carries the stored timestamps. Models that do not
/// adopt it pay nothing.
///
/// ```swift
/// struct Article: Model, Auditable {
///     static let tableName = "articles"
///     var id: Int64?
///     var title: String
///     var createdAt: Date?
///     var updatedAt: Date?
/// }
/// ```
///
/// The model's own values of these columns are never written by an update: `created_at` keeps
/// the insert's time, and `updated_at` is always the update's. An explicit ``Assignment`` (say
/// `.set(\.createdAt, date)`) still is.
public protocol Auditable: Model {
    /// When the row was inserted; nil until it is.
    var createdAt: Date? { get set }
    /// When the row was last written; nil until it is inserted.
    var updatedAt: Date? { get set }
    /// The column holding ``createdAt``. Default `created_at`.
    static var createdAtColumn: String { get }
    /// The column holding ``updatedAt``. Default `updated_at`.
    static var updatedAtColumn: String { get }
}

extension Auditable {
    /// `created_at`.
    public static var createdAtColumn: String { "created_at" }
    /// `updated_at`.
    public static var updatedAtColumn: String { "updated_at" }

    /// The model with nil timestamps set to `now`, for paths that cannot ask the server per row
    /// (COPY).
    func stamped(at now: Date) -> Self {
        var copy = self
        if copy.createdAt == nil { copy.createdAt = now }
        if copy.updatedAt == nil { copy.updatedAt = now }
        return copy
    }
}

extension Repository {
    /// What COPY does to each model: for an ``Auditable`` model, nil timestamps become the
    /// server's `now()` (the transaction's start, as every other write path stamps), read once.
    func auditStamp() async throws -> (M) -> M {
        guard M.self is any Auditable.Type else { return { $0 } }
        let now = try await session.scalar("SELECT now()", as: Date.self)
        return { model in
            guard let audited = model as? any Auditable else { return model }
            return (audited.stamped(at: now) as? M) ?? model
        }
    }
}
