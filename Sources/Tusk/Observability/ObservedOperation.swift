/// One database operation as traces and metrics see it, under the OpenTelemetry database names.
struct ObservedOperation: Sendable {
    /// `db.operation.name`: the statement's first keyword (`SELECT`), or `BATCH <keyword>` for a
    /// pipeline whose statements share one (`BATCH` when they do not).
    var name: String?
    /// The SQL as sent, with `$n` placeholders; bound values never appear. One statement is
    /// kept apart so that observing it allocates nothing.
    private var statements: Statements

    private enum Statements {
        case one(String)
        case many([String])
    }

    /// `db.query.text`: the statements separated by semicolons. Joined only for a span.
    var text: String {
        switch statements {
        case .one(let text): text
        case .many(let texts): texts.joined(separator: ";\n")
        }
    }

    /// `db.operation.batch.size`: the statement count of a pipeline of two or more.
    var batchSize: Int? {
        if case .many(let texts) = statements { return texts.count }
        return nil
    }

    /// One statement.
    static func statement(_ text: String) -> ObservedOperation {
        ObservedOperation(name: LeadingKeyword.firstWord(text), statements: .one(text))
    }

    /// A pipeline of `texts`, in order.
    static func batch(_ texts: [String]) -> ObservedOperation {
        guard texts.count > 1 else { return .statement(texts.first ?? "") }
        let first = LeadingKeyword.firstWord(texts[0])
        let shared = first != nil && texts.dropFirst().allSatisfy { LeadingKeyword.firstWord($0) == first }
        return ObservedOperation(name: shared ? "BATCH \(first ?? "")" : "BATCH", statements: .many(texts))
    }

    /// The OpenTelemetry `error.type` of `error`: the SQLSTATE of a server error, the code of a
    /// connection or session error, otherwise the error's type name.
    static func errorType(_ error: any Error) -> String {
        switch error {
        case let error as PostgresError: error.sqlState.rawValue
        case let error as ConnectionError: "\(error.code)"
        case is CancellationError: "cancelled"
        default: String(describing: type(of: error))
        }
    }
}
