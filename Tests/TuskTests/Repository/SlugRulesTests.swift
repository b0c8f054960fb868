import Testing
@testable import Tusk

private struct SluggedArticle: Model, Sluggable {
    static let tableName = "articles"
    var id: Int64?
    var title: String
    var slug: String
}

private struct ShortArticle: Model, Sluggable {
    static let tableName = "short_articles"
    static let maxSlugLength = 10
    var id: Int64?
    var slug: String
}

private struct RenamedSlug: Model, Sluggable {
    static let tableName = "renamed"
    var id: Int64?
    var slug: String
    enum CodingKeys: String, CodingKey { case id, slug = "url_name" }
}

/// The slug rules of `Sluggable.slugify`, without a server.
@Suite struct SlugRulesTests {
    @Test(arguments: [
        ("My Title!", "my-title"),
        ("  Hello,   World  ", "hello-world"),
        ("Crème Brûlée, Straße!", "creme-brulee-strasse"),
        ("Ærøskøbing Łódź Œuvre Þing", "aeroskobing-lodz-oeuvre-thing"),
        ("Don't Stop Me Now", "dont-stop-me-now"),
        ("e\u{301}te\u{301}", "ete"),                 // decomposed accents belong to their letter
        ("Swift 6.3 — what's new?", "swift-6-3-whats-new"),
        ("Привет мир 42", "42"),                      // other scripts are separators
        ("a--b__c", "a-b-c"),
        ("🐘 PostgreSQL 🐘", "postgresql"),
    ])
    func slugify(_ input: String, _ expected: String) throws {
        #expect(try SluggedArticle.slugify(input) == expected)
    }

    @Test func nothingToSlugIsATypedError() {
        for input in ["", "   ", "!!!", "Привет"] {
            let error = #expect(throws: RepositoryError.self) { try SluggedArticle.slugify(input) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func maxLengthCutsWithoutATrailingDashAndSuffixesFit() throws {
        #expect(try ShortArticle.slugify("Hello World Again") == "hello-worl")
        #expect(try ShortArticle.slugify("Hello Wor Again") == "hello-wor")
        #expect(ShortArticle.slug("hello-worl", suffix: 1) == "hello-worl")
        #expect(ShortArticle.slug("hello-worl", suffix: 2) == "hello-wo-2")
        #expect(ShortArticle.slug("hello-worl", suffix: 12) == "hello-w-12")
        #expect(ShortArticle.slug("hello-worl", suffix: 123_456) == "hel-123456")
        #expect(try SluggedArticle.slugify(String(repeating: "ab ", count: 100)).count == 100)
    }

    @Test func theSlugColumnFollowsTheCodingKeys() {
        #expect(SluggedArticle.slugColumn == "slug")
        #expect(RenamedSlug.slugColumn == "url_name")
    }
}
