/// One versioned schema change: a SQL script, or a Swift closure given the migration's
/// ``Session``. A ``Migrator`` applies migrations in version order, each in a transaction of its
/// own, and records each one it applied.
///
/// ```swift
/// let migrations = [
///     Migration(version: 1, name: "create_authors", sql: """
///         CREATE TABLE authors (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);
///         CREATE INDEX authors_email_lower ON authors (lower(email));
///         """),
///     Migration(version: 2, name: "lowercase_emails", checksum: "1") { session in
///         let changed = try await session.execute("UPDATE authors SET email = lower(email) WHERE email <> lower(email)")
///         print("lower-cased \(changed) emails")
///     },
/// ]
/// ```
///
/// ## Checksums
///
/// The migrator stores each applied migration's ``checksum`` and refuses to run when an applied
/// migration's checksum no longer matches: the migration changed after it ran, so the database
/// is not what the code describes.
///
/// - A script's checksum is the SHA-256 (hex) of its text, with CRLF line endings read as LF so
///   that a checkout's line-ending conversion is not a change. Any other edit is: white space, a
///   comment.
/// - A closure's code cannot be inspected, so its checksum is a label you declare and own — `"1"`,
///   then `"2"` when you change what the closure does, or a digest of the data file it loads. It
///   is stored as given. Tusk cannot notice a closure that changed under the same label.
public struct Migration: Sendable, CustomStringConvertible {
    /// The migration's place in the order; unique among a migrator's migrations.
    public let version: Int
    /// A short name for people: `create_authors`.
    public let name: String
    /// What the migrator compares with the recorded checksum; see "Checksums" above.
    public let checksum: String
    let work: Work

    /// What a migration runs.
    enum Work: Sendable {
        case script(SQL)
        case closure(@Sendable (Session) async throws -> Void)
    }

    /// A migration that runs a SQL script: one or more statements separated by semicolons.
    ///
    /// A script cannot bind values, and may not control its transaction (`BEGIN`, `COMMIT`…):
    /// the ``Migrator`` refuses both when it is made. For a script read from a file, use
    /// `SQL(unsafeRaw: text)`: the text is sent as it is.
    public init(version: Int, name: String, sql: SQL) {
        self.version = version
        self.name = name
        checksum = Self.checksum(ofScript: sql.text)
        work = .script(sql)
    }

    /// A migration that runs Swift code in the migration's transaction.
    ///
    /// The closure must do all its work through the session it is given — not through the pool,
    /// whose other connections are outside the migration's transaction — and must not commit or
    /// roll it back: the migrator commits after recording the migration, and rolls back when the
    /// closure throws.
    ///
    /// - Parameters:
    ///   - version: the migration's number; migrations run in increasing order.
    ///   - name: a human-readable name, stored with it.
    ///   - checksum: a label for this version of the closure, stored when it is applied;
    ///     change it when the closure's effect changes (see "Checksums" above).
    ///   - body: the work, given the migration's session.
    public init(version: Int, name: String, checksum: String, _ body: @escaping @Sendable (Session) async throws -> Void) {
        self.version = version
        self.name = name
        self.checksum = checksum
        work = .closure(body)
    }

    /// The script a SQL migration runs; nil for a closure.
    public var sql: SQL? {
        if case .script(let sql) = work { return sql }
        return nil
    }

    /// `3 add_tags`.
    public var description: String { "\(version) \(name)" }

    /// The hex SHA-256 of `text` with CRLF read as LF.
    static func checksum(ofScript text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingReturn = false
        for byte in text.utf8 {
            if pendingReturn && byte != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\r")) }
            pendingReturn = byte == UInt8(ascii: "\r")
            if !pendingReturn { bytes.append(byte) }
        }
        if pendingReturn { bytes.append(UInt8(ascii: "\r")) }
        return SHA256.hexDigest(bytes)
    }

    /// Runs the migration's work in `session`.
    func run(in session: Session, timeout: Duration?) async throws {
        switch work {
        case .script(let sql): try await session.executeScript(sql, timeout: timeout)
        case .closure(let body): try await body(session)
        }
    }
}
