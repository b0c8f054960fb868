import Testing
@testable import Tusk

/// Passwords in connection strings never reach an error, a description or reflection, however
/// the string is malformed and wherever the password sits in it.
@Suite struct ConnectionStringSecretTests {
    static let password = "S3cr3t-pa55"

    /// Every four-character piece of the password: a message that quotes only part of the
    /// password (libpq quotes the token it choked on) leaks too.
    static let passwordPieces: [String] = {
        let characters = Array(password)
        return (0...(characters.count - 4)).map { String(characters[$0..<($0 + 4)]) }
    }()

    static func expectNoPassword(in text: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        for piece in passwordPieces where text.contains(piece) {
            Issue.record("the password (\(piece)) leaked into: \(text)", sourceLocation: sourceLocation)
            return
        }
    }

    static func expectRedactedError(sourceLocation: SourceLocation = #_sourceLocation, _ parse: () throws -> ConnectionConfiguration) {
        do {
            let configuration = try parse()
            Issue.record("parsed a malformed connection string into \(configuration)", sourceLocation: sourceLocation)
        } catch let error as ConnectionError {
            #expect(error.code == .invalidConfiguration, sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            expectNoPassword(in: error.description, sourceLocation: sourceLocation)
            expectNoPassword(in: error.message, sourceLocation: sourceLocation)
            expectNoPassword(in: String(reflecting: error), sourceLocation: sourceLocation)
            var dumped = ""
            dump(error, to: &dumped)
            expectNoPassword(in: dumped, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a ConnectionError, got \(type(of: error))", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        // A bad percent-escape in each part: libpq quotes the token it could not decode.
        "postgres://app:S3cr3t-pa55%zz@db.internal/app",
        "postgresql://app:%zzS3cr3t-pa55@db.internal/app",
        "postgres://app:S3cr3t%00-pa55@db.internal/app",
        "postgres://app%zz:S3cr3t-pa55@db.internal/app",
        "postgres://app:S3cr3t-pa55@db%zz.internal/app",
        "postgres://app:S3cr3t-pa55@db.internal/app%zz",
        // IPv6 brackets: libpq quotes the whole URL.
        "postgres://app:S3cr3t-pa55@[::1/app",
        "postgres://app:S3cr3t-pa55@[]/app",
        "postgres://app:S3cr3t-pa55@[::1]x/app",
        // Ports Tusk rejects after libpq accepted them.
        "postgres://app:S3cr3t-pa55@db.internal:abc/app",
        "postgres://app:S3cr3t-pa55@db.internal:99999/app",
        "postgres://app:S3cr3t-pa55@h1:5432,h2:x/app",
        // An unescaped '/' in the password: libpq reads "app:S3cr" as host and port.
        "postgres://app:S3cr/t-pa55@db.internal/app",
        // Query parameters, with the password before or in the bad part.
        "postgres://app:S3cr3t-pa55@db.internal/app?sslmode=%zz",
        "postgres://app:S3cr3t-pa55@db.internal/app?bogus=1",
        "postgres://app:S3cr3t-pa55@db.internal/app?x",
        "postgres://app:S3cr3t-pa55@db.internal/app?sslmode=sometimes",
        "postgres://app@db.internal/app?password=S3cr3t-pa55%zz",
        "postgres://app@db.internal/app?password=S3cr3t-pa55=x",
        "postgres://app@db.internal/app?pass%77ord=S3cr3t-pa55%zz",
        "postgres://app@db.internal/app?password=S3cr3t-pa55&x",
    ])
    func malformedURLsNeverShowThePassword(url: String) {
        Self.expectRedactedError { try ConnectionConfiguration(url: url) }
        Self.expectRedactedError { try ConnectionConfiguration(connectionString: url) }
        // libpq parses a URL handed over as a DSN as a URL.
        Self.expectRedactedError { try ConnectionConfiguration(dsn: url) }
    }

    @Test(arguments: [
        // An unterminated quote, with the password quoted or not, before or after the bad part.
        "host=db.internal password=S3cr3t-pa55 dbname='app",
        "host=db.internal password='S3cr3t-pa55' dbname='app",
        "host='db.internal password=S3cr3t-pa55",
        "password='S3cr3t-pa55",
        "password='S3cr3t-pa55\\' dbname=app",
        // A word without '=' or an unknown keyword, before or after the password.
        "password=S3cr3t-pa55 junk",
        "junk password=S3cr3t-pa55",
        "password=S3cr3t-pa55 bogus=1",
        "bogus=1 password='S3cr3t-pa55'",
        // A password with an unquoted space: libpq takes its second half for a keyword.
        "host=db.internal password=S3cr3t -pa55",
        "host=db.internal password=S3cr3t -pa55=x",
        // The '=' forgotten after the keyword.
        "host=db.internal passwordS3cr3t-pa55",
        // Values Tusk rejects after libpq accepted them.
        "password=S3cr3t-pa55 port=abc",
        "password = 'S3cr3t-pa55' sslmode=sometimes",
        "sslpassword=S3cr3t-pa55 junk",
    ])
    func malformedDSNsNeverShowThePassword(dsn: String) {
        Self.expectRedactedError { try ConnectionConfiguration(dsn: dsn) }
        Self.expectRedactedError { try ConnectionConfiguration(connectionString: dsn) }
    }

    @Test(arguments: [
        "postgres://app:S3cr@t-pa55@db.internal/app",
        "postgres://app:S3cr3t-pa55@@db.internal/app",
        "postgresql://app:S3cr3t@-pa55@db.internal:5432,db2.internal/app?sslmode=require",
    ])
    func unescapedAtInTheUserinfoIsRejected(url: String) throws {
        // libpq splits at the first '@': the password would be cut short and its rest would
        // become the host, silently.
        Self.expectRedactedError { try ConnectionConfiguration(url: url) }
        let error = #expect(throws: ConnectionError.self) { try ConnectionConfiguration(connectionString: url) }
        #expect(error?.message.contains("%40") == true)
        // Escaped, the same password parses, and the '@' of a query or path value is no userinfo.
        let escaped = try ConnectionConfiguration(url: "postgres://app:S3cr%40t-pa55@db.internal/app")
        #expect(escaped.password == "S3cr@t-pa55")
        #expect(escaped.hosts == [.init("db.internal")])
        #expect(try ConnectionConfiguration(url: "postgres://db.internal/a@b@c").database == "a@b@c")
        #expect(try ConnectionConfiguration(url: "postgres://app@db.internal/app?application_name=a@b@c").applicationName == "a@b@c")
    }

    @Test func messagesKeepLibpqsWording() throws {
        let error = #expect(throws: ConnectionError.self) {
            try ConnectionConfiguration(url: "postgres://app:S3cr3t-pa55@[::1/app")
        }
        let message = try #require(error?.message)
        #expect(message.contains("IPv6"))
        #expect(message.contains("[redacted]"))
        // The parts that are not secret still say where the problem is.
        #expect(message.contains("[::1/app"))
        let escape = #expect(throws: ConnectionError.self) {
            try ConnectionConfiguration(url: "postgres://app:S3cr3t-pa55@db.internal/app%zz")
        }
        #expect(escape?.message.contains("app%zz") == true)
    }

    @Test func reflectionNeverShowsThePassword() throws {
        var configuration = try ConnectionConfiguration(url: "postgres://app:S3cr3t-pa55@db.internal:5432/app")
        #expect(configuration.password == Self.password)
        try expectNothingShows(configuration)
        configuration.password = "other-\(Self.password)"
        #expect(configuration.password == "other-\(Self.password)")
        try expectNothingShows(configuration)
        try expectNothingShows(ConnectionConfiguration(dsn: "host=db.internal password='S3cr3t-pa55'"))
        try expectNothingShows(ConnectionConfiguration(password: Self.password))

        let target = configuration.target
        #expect(target.password == "other-\(Self.password)")
        var dumped = ""
        dump(target, to: &dumped)
        Self.expectNoPassword(in: dumped)
        Self.expectNoPassword(in: String(reflecting: target))
        Self.expectNoPassword(in: "\(target)")
    }

    private func expectNothingShows(_ configuration: ConnectionConfiguration) throws {
        var dumped = ""
        dump(configuration, to: &dumped)
        Self.expectNoPassword(in: dumped)
        #expect(dumped.contains("[redacted]"))
        Self.expectNoPassword(in: String(reflecting: configuration))
        Self.expectNoPassword(in: String(describing: configuration))
        Self.expectNoPassword(in: "\(configuration)")
        Self.expectNoPassword(in: "\([configuration])")
        var stack: [Mirror] = [Mirror(reflecting: configuration)]
        while let mirror = stack.popLast() {
            for child in mirror.children {
                Self.expectNoPassword(in: String(reflecting: child.value))
                Self.expectNoPassword(in: String(describing: child.value))
                stack.append(Mirror(reflecting: child.value))
            }
        }
    }

    @Test func connectFailureNeverShowsThePassword() async throws {
        // Nothing listens on port 1: the connect is refused at once, no server needed.
        var configuration = try ConnectionConfiguration(url: "postgres://app:S3cr3t-pa55@127.0.0.1:1/app?sslmode=disable")
        configuration.connectTimeout = .seconds(5)
        let error = await #expect(throws: ConnectionError.self) {
            _ = try await Connection.connect(to: configuration)
        }
        let failure = try #require(error)
        #expect(failure.code == .connectionRefused)
        Self.expectNoPassword(in: failure.description)
        Self.expectNoPassword(in: failure.message)
        Self.expectNoPassword(in: String(reflecting: failure))
        var dumped = ""
        dump(failure, to: &dumped)
        Self.expectNoPassword(in: dumped)
    }
}
