import Testing
@testable import Tusk

@Suite struct SQLTests {
    @Test func valuesBecomePlaceholders() throws {
        let email = "o'brien@example.com"
        let sql: SQL = "SELECT * FROM users WHERE email = \(email) AND age > \(30)"
        #expect(sql.text == "SELECT * FROM users WHERE email = $1 AND age > $2")
        #expect(sql.bindings.types == [.text, .int8])
        #expect(!sql.text.contains("brien"))
    }

    @Test func nestedFragmentsAreRenumbered() throws {
        let filter: SQL = "age > \(30) AND name = \("x")"
        let sql: SQL = "SELECT \(1) FROM t WHERE \(filter) AND id = \(Int32(2))"
        #expect(sql.text == "SELECT $1 FROM t WHERE age > $2 AND name = $3 AND id = $4")
        #expect(sql.bindings.types == [.int8, .int8, .text, .int4])
    }

    @Test func joinRenumbers() {
        let parts: [SQL] = ["a = \(1)", "b = \(2)", "c IS NULL"]
        #expect(SQL.join(parts, separator: " AND ").text == "a = $1 AND b = $2 AND c IS NULL")
    }

    @Test func identifiersAreQuoted() throws {
        let sql: SQL = "SELECT \(idents: ["id", "we\"ird name"]) FROM \(ident: "my schema", "users")"
        #expect(sql.text == #"SELECT "id", "we""ird name" FROM "my schema"."users""#)
        #expect(try SQL.quoteIdentifier("Robert'); DROP TABLE students;--") == #""Robert'); DROP TABLE students;--""#)
    }

    @Test func invalidIdentifierIsThrownBeforeSending() {
        let sql: SQL = "SELECT * FROM \(ident: "")"
        let error = #expect(throws: PostgresEncodingError.self) { try sql.validate() }
        #expect(error?.code == .invalidIdentifier)
    }

    @Test func unsafeRawIsVerbatim() {
        let direction = "DESC"
        let sql: SQL = "SELECT 1 ORDER BY 1 \(unsafeRaw: direction)"
        #expect(sql.text == "SELECT 1 ORDER BY 1 DESC")
    }

    @Test func encodingFailuresAreDeferredToExecution() {
        let sql: SQL = "INSERT INTO notes VALUES (\("a\u{0}b"), \(1))"
        #expect(sql.text == "INSERT INTO notes VALUES ($1, $2)")
        let error = #expect(throws: PostgresEncodingError.self) { try sql.validate() }
        #expect(error?.code == .nulInText)
    }

    @Test func moreThan65535ParametersIsAnError() {
        let fragments = (0..<65_536).map { (value: Int) -> SQL in "\(value)" }
        let sql: SQL = "SELECT \(SQL.join(fragments, separator: ","))"
        #expect(sql.bindings.count == 65_536)
        let error = #expect(throws: PostgresEncodingError.self) { try sql.validate() }
        #expect(error?.code == .tooManyParameters)
        let limit = SQL.join(fragments.dropLast(), separator: ",")
        #expect(throws: Never.self) { try limit.validate() }
    }

    @Test func descriptionNeverShowsValues() {
        let sql: SQL = "UPDATE users SET password = \("hunter2")"
        #expect(!"\(sql)".contains("hunter2"))
    }

    @Test func detectsCopyStatements() {
        #expect(Connection.isCopyStatement("COPY t FROM STDIN"))
        #expect(Connection.isCopyStatement("  -- comment\n /* c */ copy t TO STDOUT"))
        #expect(!Connection.isCopyStatement("SELECT 'COPY'"))
        #expect(!Connection.isCopyStatement("COPYRIGHT"))
    }
}
