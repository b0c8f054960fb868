/// What sits between Tusk and PostgreSQL, as far as server sessions are concerned.
///
/// A pooler in transaction mode (PgBouncer's `pool_mode = transaction`, and poolers built like
/// it) hands each transaction — each statement, outside one — to whichever server session is
/// free. What a session remembers between transactions is then lost or, worse, seen by another
/// client: named prepared statements, session `SET`s, `LISTEN`, session advisory locks, `WITH
/// HOLD` cursors. ``transactionMode`` makes Tusk use none of them.
public enum ServerPooler: Sendable, Hashable {
    /// PostgreSQL itself, or a pooler in session mode: one server session per connection.
    case none
    /// A pooler in transaction mode. Tusk then:
    /// - sends every statement unnamed (Parse, Bind, Execute and Sync together), never a named
    ///   prepared statement that the next transaction's server session would not know;
    /// - sends no startup `options` (PgBouncer refuses them): ``ConnectionConfiguration/settings``
    ///   other than the default `TimeZone=UTC` are refused at connect
    ///   (``ConnectionError/Code/invalidConfiguration``), and the server's own
    ///   `TimeZone` is used (set `ALTER DATABASE … SET TimeZone = 'UTC'` for the same conversions
    ///   as a direct connection; Tusk refuses the ones a non-UTC zone makes ambiguous);
    /// - refuses, before sending, statements whose effect outlives their transaction: `LISTEN`,
    ///   `UNLISTEN`, session-level `SET` and `RESET` (`SET LOCAL` is fine), `PREPARE`,
    ///   `DEALLOCATE`, `DISCARD`, `DECLARE … WITH HOLD`, and session-level advisory locks
    ///   (`pg_advisory_lock`; the `_xact_` forms are fine), with ``ConnectionError/Code/invalidUsage``;
    /// - skips `DISCARD ALL` when a pool resets a connection (``PoolConfiguration/resetSessionOnRelease``), since the next transaction may run
    ///   on another server session anyway.
    ///
    /// Sessions, repositories, bulk `COPY`, upserts, pipelines and `stream` (its cursor lives in
    /// the session's transaction) work unchanged.
    case transactionMode
}
