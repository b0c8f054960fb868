/// A model with a URL-friendly, unique slug made from a title (Advanced Alchemy's
/// `SQLAlchemyAsyncSlugRepository`): ``Repository/add(_:slugFrom:)`` stores a row with a slug no
/// other row has (`my-title`, then `my-title-2`, `my-title-3`, …), and
/// ``Repository/getBySlug(_:includeDeleted:)`` finds it again.
///
/// ```swift
/// struct Article: Model, Sluggable {
///     static let tableName = "articles"
///     var id: Int64?
///     var title: String
///     var slug: String = ""            // column slug text NOT NULL UNIQUE
/// }
///
/// let article = try await articles.add(Article(id: nil, title: "My Title!"), slugFrom: "My Title!")   // slug "my-title"
/// ```
///
/// The slug column needs a `UNIQUE` constraint (or a unique index): that is what makes slugs
/// unique under concurrency, and without it ``Repository/add(_:slugFrom:)`` throws
/// ``RepositoryError`` with `notUnique`.
///
/// How ``slugify(_:)`` makes a slug:
/// - Latin letters lose their diacritics (`é` → `e`, `ñ` → `n`, `ø` → `o`, `ł` → `l`); `ß` becomes
///   `ss`, `æ` `ae`, `œ` `oe`, `þ` `th`, `ð` `d`; letters are lowercased.
/// - Apostrophes vanish (`Don't` → `dont`); every other run of characters that are not ASCII
///   letters or digits (spaces, punctuation, other scripts, emoji) becomes one `-`.
/// - Leading and trailing `-` are trimmed, and the slug is cut to ``Sluggable/maxSlugLength`` characters
///   (then trimmed again). A suffix (`-2`) fits within the same length: the base is cut shorter.
public protocol Sluggable: Model {
    /// The row's slug. ``Repository/add(_:slugFrom:)`` overwrites it.
    var slug: String { get set }
    /// The slug's column. Default: the column of the `slug` property (`slug`, unless the coding
    /// keys rename it).
    static var slugColumn: String { get }
    /// The longest slug, suffix included. Default 100.
    static var maxSlugLength: Int { get }
}

extension Sluggable {
    /// The column the `slug` property encodes to.
    public static var slugColumn: String {
        let schema = ModelSchema.of(Self.self)
        guard let index = schema.properties.firstIndex(of: "slug") else { return keyMapping.column(for: "slug") }
        return schema.columns[index]
    }

    /// 100.
    public static var maxSlugLength: Int { 100 }

    /// The slug of `text`, by the rules above: `"Crème Brûlée, Straße!"` → `creme-brulee-strasse`.
    ///
    /// - Throws: ``RepositoryError`` with `invalidArgument` when `text` has no letter or digit to
    ///   make a slug from.
    public static func slugify(_ text: String) throws -> String {
        let slug = SlugRules.slug(text, maxLength: maxSlugLength)
        guard !slug.isEmpty else {
            throw RepositoryError(.invalidArgument, "\(text.debugDescription) has no letter or digit to make a slug of \(entityName) from")
        }
        return slug
    }

    /// `base` with `-suffix` (none for 1), cut so that it fits ``maxSlugLength``.
    static func slug(_ base: String, suffix: Int) -> String {
        guard suffix > 1 else { return base }
        let tail = "-\(suffix)"
        return SlugRules.cut(base, to: max(1, maxSlugLength - tail.count)) + tail
    }
}
