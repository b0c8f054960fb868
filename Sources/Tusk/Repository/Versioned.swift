/// A model under optimistic locking: its integer version column says which state of the row a
/// model was read at. ``Repository/update(_:)`` and a session's flush write only where the row
/// still has the version the session read (or the model carries, when the session did not read
/// it) and set `version = version + 1`; a row changed or deleted meanwhile throws
/// ``StaleDataError`` and nothing is written. Every other update path increments the version too,
/// so a model read before it becomes stale.
///
/// ```swift
/// struct Article: Model, Versioned {
///     static let tableName = "articles"
///     var id: Int64?
///     var title: String
///     var version: Int64 = 1   // version bigint NOT NULL DEFAULT 1
/// }
/// ```
///
/// The model's own version is never written by an update; the model an update returns carries
/// the new one.
public protocol Versioned: Model {
    /// The version of the row this model was read at.
    var version: Int64 { get }
    /// The column holding ``version``. Default `version`.
    static var versionColumn: String { get }
}

extension Versioned {
    /// `version`.
    public static var versionColumn: String { "version" }
}
