/// One page of a listing and the number of rows in all pages: what a JSON API returns as it is.
///
/// ```swift
/// let page = try await posts.page(where: \.views > 10, orderBy: [.desc(\.views)], limitOffset: window)
/// let body = try JSONEncoder().encode(page)   // {"items":[…],"total":42,"limit":20,"offset":40}
/// ```
public struct Page<M: Model>: Sendable, Codable {
    /// The rows of this page.
    public var items: [M]
    /// How many rows match, in all pages.
    public var total: Int
    /// The page size asked for.
    public var limit: Int
    /// Rows skipped before this page.
    public var offset: Int

    /// Creates a page.
    public init(items: [M], total: Int, limit: Int, offset: Int) {
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset
    }
}

extension Page: Equatable where M: Equatable {}
