import Foundation
import Testing
@testable import Tusk

@Suite struct FilterTextTests {
    @Test func containsEscapesWildcardsAndBackslash() throws {
        let sql = try Filter<Article>.contains(\.title, #"50%_off\"#).build()
        #expect(sql.text == #""title" LIKE $1 ESCAPE E'\\'"#)
        #expect(sql.boundText(0) == #"%50\%\_off\\%"#, "the user's text is matched literally")
        #expect(sql.bindings.types == [.text])
    }

    @Test func anchorsAndCase() throws {
        let starts = try Filter<Article>.startsWith(\.title, "a_b", ignoringCase: true).build()
        #expect(starts.text == #""title" ILIKE $1 ESCAPE E'\\'"#)
        #expect(starts.boundText(0) == #"a\_b%"#)
        let ends = try Filter<Article>.endsWith(\.summary, "%").build()
        #expect(ends.text == #""summary" LIKE $1 ESCAPE E'\\'"#)
        #expect(ends.boundText(0) == #"%\%"#)
    }

    @Test func plainTextIsNotChanged() {
        #expect(Filter<Article>.escapeLikeWildcards("héllo wörld") == "héllo wörld")
        #expect(Filter<Article>.escapeLikeWildcards(#"\\"#) == #"\\\\"#)
    }

    @Test func searchOrsEveryField() throws {
        let sql = try Filter<Article>.search("x%", in: [\.title, \.summary], ignoringCase: true).build()
        #expect(sql.text == #"("title" ILIKE $1 ESCAPE E'\\' OR "summary" ILIKE $2 ESCAPE E'\\')"#)
        #expect(sql.boundText(0) == #"%x\%%"#)
        #expect(sql.boundText(1) == #"%x\%%"#)
    }

    @Test func searchOfOneFieldHasNoParentheses() throws {
        #expect(try Filter<Article>.search("x", in: [\.title]).text == #""title" LIKE $1 ESCAPE E'\\'"#)
    }

    @Test func searchRejectsNonTextAndNoFields() {
        let number = thrown(RepositoryError.self) { _ = try Filter<Article>.search("1", in: [\.views]).build() }
        #expect(number?.code == .invalidArgument)
        #expect(number?.message.contains("not text") == true)
        #expect(thrown(RepositoryError.self) { _ = try Filter<Article>.search("1", in: []).build() }?.code == .invalidArgument)
    }

    @Test func patternSpellingKeepsThePattern() throws {
        let sql = try Filter<Article>.likePattern(\.title, "50%").build()
        #expect(sql.text == #""title" LIKE $1"#)
        #expect(sql.boundText(0) == "50%")
        #expect(try Filter<Article>.ilikePattern(\.summary, "a_").text == #""summary" ILIKE $1"#)
    }

    @Test func emptyCollections() throws {
        #expect(try Filter<Article>.in(\.views, []).text == "FALSE")
        #expect(try Filter<Article>.notIn(\.views, []).text == "TRUE")
        #expect(try Filter<Article>.in(\.views, [1, 2]).text == #""views" = ANY($1)"#)
        #expect(try Filter<Article>.notIn(\.publishedAt, [Date(timeIntervalSince1970: 0)]).text == #"NOT ("published_at" = ANY($1))"#)
        #expect(try Filter<Article>.in(\.views, [1, 2]).build().bindings.types == [.int4Array])
    }

    @Test func beforeAndAfter() throws {
        let moment = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try Filter<Article>.before(\.createdAt, moment).text == #""created_at" < $1"#)
        #expect(try Filter<Article>.before(\.publishedAt, moment, inclusive: true).text == #""published_at" <= $1"#)
        #expect(try Filter<Article>.after(\.createdAt, moment).text == #""created_at" > $1"#)
        let after = try Filter<Article>.after(\.publishedAt, moment, inclusive: true).build()
        #expect(after.text == #""published_at" >= $1"#)
        #expect(after.bindings.types == [.timestamptz])
    }
}
