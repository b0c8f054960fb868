import Testing
@testable import Tusk

/// PostgreSQL's block comments nest (`/* a /* b */ c */`): a statement behind a nested comment
/// must be recognised by its real first word, or a session would send a COMMIT it refuses to send.
@Suite struct NestedCommentTests {
    @Test func aCommitBehindANestedCommentIsTransactionControl() {
        #expect(TransactionControl.keyword(of: "/* a /* b */ c */ COMMIT") == "COMMIT")
        #expect(TransactionControl.keyword(of: "/*/**/*/ rollback") == "ROLLBACK")
        #expect(TransactionControl.keyword(of: "/* one /* two /* three */ */ */\n-- x\nBEGIN") == "BEGIN")
    }

    @Test func nestedCommentsAreSkippedBeforeTheFirstWord() {
        #expect(LeadingKeyword.firstWord("/* a /* b */ c */ SELECT 1") == "SELECT")
        #expect(LeadingKeyword.statement("/* x /* y */ COPY */ SELECT 1", startsWith: "SELECT"))
        #expect(!LeadingKeyword.statement("/* x /* y */ */ SELECT 1", startsWith: "COPY"))
        // An unterminated comment hides everything after it, as the server would refuse it.
        #expect(TransactionControl.keyword(of: "/* a /* b */ COMMIT") == nil)
    }
}
