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
