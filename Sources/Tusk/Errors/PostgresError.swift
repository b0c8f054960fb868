/// An error reported by the PostgreSQL server, with every field the server sent.
///
/// Match it by code without parsing strings:
///
/// ```swift
/// do {
///     try await session.execute("INSERT INTO users (email) VALUES (\(email))")
/// } catch let error as PostgresError where error.sqlState == .uniqueViolation {
///     print(error.constraint ?? "?")   // "users_email_key"
/// }
/// ```
///
/// Connection loss is never a `PostgresError`: it is a ``ConnectionError`` with code
/// ``ConnectionError/Code/connectionLost``, even when the server sent a FATAL message on its way out.
public struct PostgresError: Error, Sendable, Hashable {
    /// The SQLSTATE code, e.g. ``SQLState/uniqueViolation``.
    public var sqlState: SQLState
    /// The severity: `ERROR`, `FATAL` or `PANIC` (never localized).
    public var severity: String
    /// The primary message, e.g. `duplicate key value violates unique constraint "users_email_key"`.
    public var message: String
    /// An optional secondary message with more detail, e.g. `Key (email)=(a@b.c) already exists.`
    public var detail: String?
    /// An optional suggestion what to do about the problem.
    public var hint: String?
    /// The 1-based character position of the error in the statement text, if the server reported one.
    public var position: Int?
    /// The call stack context in which the error occurred (functions, COPY line), if any.
    public var context: String?
    /// The schema of the object the error is about, if any.
    public var schema: String?
    /// The table the error is about, if any.
    public var table: String?
    /// The column the error is about, if any.
    public var column: String?
    /// The data type the error is about, if any.
    public var dataType: String?
    /// The constraint the error is about, if any (unique, foreign key, check, exclusion).
    public var constraint: String?
    /// The statement text that failed, with `$n` placeholders. Bound values are never included.
    public var query: String?
    /// The server's source routine that raised the error (`RevalidateCachedQuery`): never
    /// localized, so it tells errors with the same SQLSTATE apart without reading the message.
    public var routine: String?

    /// Creates an error from its fields; Tusk creates these from server responses.
    public init(
        sqlState: SQLState,
        severity: String = "ERROR",
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        position: Int? = nil,
        context: String? = nil,
        schema: String? = nil,
        table: String? = nil,
        column: String? = nil,
        dataType: String? = nil,
        constraint: String? = nil,
        query: String? = nil,
        routine: String? = nil
    ) {
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
        self.context = context
        self.schema = schema
        self.table = table
        self.column = column
        self.dataType = dataType
        self.constraint = constraint
        self.query = query
        self.routine = routine
    }

    /// Whether re-running the whole transaction may succeed (serialization failure, deadlock).
    public var isTransactionRetryable: Bool { sqlState.isTransactionRetryable }
}

extension PostgresError: CustomStringConvertible {
    /// `SQLSTATE 23505: message. DETAIL: … HINT: … (constraint …, table …) in: <statement>`.
    public var description: String {
        var text = "PostgreSQL \(severity) \(sqlState): \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        var about: [String] = []
        if let schema { about.append("schema \(schema)") }
        if let table { about.append("table \(table)") }
        if let column { about.append("column \(column)") }
        if let constraint { about.append("constraint \(constraint)") }
        if let dataType { about.append("type \(dataType)") }
        if !about.isEmpty { text += " (\(about.joined(separator: ", ")))" }
        if let context { text += " CONTEXT: \(context)" }
        if let query {
            text += " in: \(query)"
            if let position { text += " (at character \(position))" }
        }
        return text
    }
}
