import Testing
@testable import Tusk

/// What spans and the operation-duration metric call a statement, worked out without a server.
@Suite struct ObservedOperationTests {
    @Test func theOperationNameIsTheFirstKeywordInUpperCase() {
        #expect(LeadingKeyword.firstWord("select 1") == "SELECT")
        #expect(LeadingKeyword.firstWord("  -- a comment\n/* and another */ With x AS (SELECT 1) SELECT * FROM x") == "WITH")
        #expect(LeadingKeyword.firstWord("COPY items FROM STDIN") == "COPY")
        #expect(LeadingKeyword.firstWord("") == nil)
        #expect(LeadingKeyword.firstWord("(SELECT 1)") == nil)
        // Longer than any keyword: not a keyword, and never a large string on the hot path.
        #expect(LeadingKeyword.firstWord("abcdefghijklmnopqrstuvwxyz") == nil)
    }

    @Test func aPipelineIsABatchNamedByItsSharedKeyword() {
        let inserts = ObservedOperation.batch(["INSERT INTO a VALUES ($1)", "insert into b values ($1)"])
        #expect(inserts.name == "BATCH INSERT")
        #expect(inserts.batchSize == 2)
        #expect(inserts.text == "INSERT INTO a VALUES ($1);\ninsert into b values ($1)")
        #expect(ObservedOperation.batch(["INSERT INTO a VALUES ($1)", "DELETE FROM a"]).name == "BATCH")
        let single = ObservedOperation.batch(["UPDATE a SET x = $1"])
        #expect(single.name == "UPDATE")
        #expect(single.batchSize == nil)
    }

    @Test func errorTypesAreSQLStatesOrCodes() {
        #expect(ObservedOperation.errorType(CancellationError()) == "cancelled")
        #expect(ObservedOperation.errorType(ConnectionError(.timeout, message: "x")) == "timeout")
    }
}
