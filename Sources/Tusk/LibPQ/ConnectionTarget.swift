/// Who a connection talks to, for error messages. The password is kept only to scrub it from
/// libpq's messages; it is never printed, and reflection (`dump`, `Mirror`) sees `[redacted]`.
struct ConnectionTarget: Sendable {
    var host: String?
    var port: Int?
    var database: String?
    var user: String?
    /// The password, kept in a wrapper so that dumping a target (or an error holding one) cannot
    /// print it.
    var password: String? {
        get { secret?.value }
        set { secret = newValue.map(Redacted.init) }
    }

    private var secret: Redacted<String>?

    init(host: String? = nil, port: Int? = nil, database: String? = nil, user: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.secret = password.map(Redacted.init)
    }

    /// `message` with every occurrence of the password replaced.
    func scrub(_ message: String) -> String {
        guard let password, !password.isEmpty, message.contains(password) else { return message }
        return message.split(separator: password, omittingEmptySubsequences: false).joined(separator: "[password]")
    }

    func error(_ code: ConnectionError.Code, _ message: String, serverError: PostgresError? = nil) -> ConnectionError {
        ConnectionError(code, message: scrub(message), host: host, port: port, database: database, user: user,
                        serverError: serverError)
    }
}
