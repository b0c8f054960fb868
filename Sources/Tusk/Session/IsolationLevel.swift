/// A transaction's isolation level.
public enum IsolationLevel: String, Sendable, CaseIterable {
    /// Each statement sees data committed before it began (PostgreSQL's default).
    case readCommitted = "READ COMMITTED"
    /// Every statement sees the snapshot taken at the transaction's first statement.
    case repeatableRead = "REPEATABLE READ"
    /// As if transactions ran one after another; conflicts fail with serialization_failure
    /// (40001), which ``ConnectionPool/withTransaction(isolation:readOnly:deferrable:retry:_:)``
    /// retries.
    case serializable = "SERIALIZABLE"
}
