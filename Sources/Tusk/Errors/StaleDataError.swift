/// An update of a ``Versioned`` model found no row with the version it was read at: another
/// transaction changed (or deleted) the row since. Nothing was written; read the row again and
/// redo the change. From a session's flush, it fails the flush, so the transaction can only roll
/// back and nothing of it is committed.
public struct StaleDataError: Error, Sendable, CustomStringConvertible {
    /// The table: `articles` or `app.articles`.
    public var entity: String
    /// The row's identity, as text: `42`.
    public var id: String

    /// Creates an error.
    public init(entity: String, id: String) {
        self.entity = entity
        self.id = id
    }

    /// `articles 42 was changed or deleted since it was read: nothing was written`.
    public var description: String { "\(entity) \(id) was changed or deleted since it was read: nothing was written" }
}
