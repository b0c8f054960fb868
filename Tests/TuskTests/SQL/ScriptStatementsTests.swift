import Foundation
import Testing
@testable import Tusk

@Suite struct ScriptStatementsTests {
    func split(_ text: String) -> [String] {
        ScriptStatements.split(text).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test func statementsStartAtTheirFirstWord() {
        #expect(ScriptStatements.split("  -- lead\n/* a /* b */ c */ SELECT 1;\n\tSELECT 2").map(String.init) == ["SELECT 1", "SELECT 2"])
    }

    @Test func splitsAtSemicolonsAndDropsBlankStatements() {
        #expect(split("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n-- the end\n") == ["CREATE TABLE a (id int)", "CREATE TABLE b (id int)"])
        #expect(split("SELECT 1") == ["SELECT 1"])
        #expect(split(" ; ;\n/* nothing */;").isEmpty)
    }

    @Test func semicolonsInsideQuotesAndCommentsDoNotSplit() {
        #expect(split("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT 2") == ["INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT 2"])
        #expect(split(#"SELECT "we;ird""" FROM t; SELECT 2"#).count == 2)
        #expect(split("SELECT 1 -- a; comment\n; SELECT 2").count == 2)
        #expect(split("SELECT 1 /* outer /* inner; */ still; */; SELECT 2").count == 2)
        #expect(split(#"SELECT E'back\'slash;'; SELECT 2"#).count == 2)
        #expect(split(#"SELECT 'plain\'; SELECT 2"#).count == 2, "a backslash escapes nothing in a standard string")
    }

    @Test func dollarQuotedBodiesDoNotSplit() {
        let function = """
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                NEW.updated_at := now(); RETURN NEW;
            END;
            $body$;
            CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION f()
            """
        let statements = split(function)
        #expect(statements.count == 2)
        #expect(statements.first?.hasSuffix("$body$") == true)
        #expect(split("DO $$ BEGIN PERFORM 1; END $$; SELECT $1, a$b$c FROM t; SELECT 3").count == 3)
    }

    @Test func aBeginAtomicBodyIsOneStatement() {
        let procedure = """
            CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC
                INSERT INTO t VALUES (CASE WHEN true THEN 1 END);
                INSERT INTO t VALUES (2);
            END;
            SELECT 1
            """
        #expect(split(procedure).count == 2)
        #expect(TransactionControl.keyword(inScript: procedure) == nil)
    }

    @Test func transactionControlIsFoundInAnyStatement() {
        #expect(TransactionControl.keyword(inScript: "CREATE TABLE a (id int); COMMIT") == "COMMIT")
        #expect(TransactionControl.keyword(inScript: "/* lead */ begin; SELECT 1") == "BEGIN")
        #expect(TransactionControl.keyword(inScript: "SELECT 1; END") == "END")
        #expect(TransactionControl.keyword(inScript: "SELECT 1; /* nested /* comment */ here */ COMMIT") == "COMMIT")
        #expect(TransactionControl.keyword(inScript: "SELECT 'COMMIT'; SELECT $$; ROLLBACK$$") == nil)
        #expect(TransactionControl.keyword(inScript: "CREATE TABLE commits (id int); SELECT committed FROM commits") == nil)
    }
}
