/// One page of a keyset listing and the cursor to the next, or nil on the last page: what a
/// JSON API returns as it is.
///
/// ```swift
/// let page = try await posts.page(orderBy: [.desc(\.publishedAt), .asc(\.id)], after: cursor, limit: 20)
/// let body = try JSONEncoder().encode(page)   // {"items":[…],"next":"W3siYyI6…"}
/// ```
public struct KeysetPage<M: Model>: Sendable, Codable {
    /// The rows of this page.
    public var items: [M]
    /// Where the next page starts; nil when no row follows.
    public var next: PageCursor?

    /// Creates a page.
    public init(items: [M], next: PageCursor?) {
        self.items = items
        self.next = next
    }
}

extension KeysetPage: Equatable where M: Equatable {}
