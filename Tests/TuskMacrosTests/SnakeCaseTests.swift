import Testing
import TuskMacros
import TuskModel

/// The macro's compile-time column names must be the runtime's: a model read through `Codable`
/// and the same model read through `@Model` address the same columns.
@Suite struct SnakeCaseTests {
    @Test(arguments: [
        "id", "userID", "myURLProperty", "already_snake", "HTTPServer", "a1B2", "createdAt", "URL", "url",
        "userId", "ID", "tenantID", "html5Parser", "IOError", "x", "", "_private", "__double", "snake_Case",
        "ABCDef", "aB", "isHTTPS", "version2Name", "TCPIPAddress", "ÄrgerÖl", "a_B_c",
    ])
    func matchesKeyMappingSnakeCase(_ name: String) {
        #expect(SnakeCase.column(for: name) == KeyMapping.snakeCase.column(for: name))
    }

    @Test func knownNames() {
        #expect(SnakeCase.column(for: "userID") == "user_id")
        #expect(SnakeCase.column(for: "myURLProperty") == "my_url_property")
        #expect(SnakeCase.column(for: "HTTPServer") == "http_server")
        #expect(SnakeCase.column(for: "already_snake") == "already_snake")
    }
}
