import Foundation
@testable import Tusk

/// A model for SQL-building tests: no table behind it, only its columns.
struct Article: Model, Equatable {
    static let tableName = "articles"
    var id: Int64?
    var title: String
    var summary: String?
    var views: Int32
    var authorID: UUID
    var featured: Bool
    var createdAt: Date
    var publishedAt: Date?
}

/// Every field of ``Article`` a request may name.
let articleFields = RequestFields<Article>([
    "title": .field(\.title), "summary": .field(\.summary), "views": .field(\.views), "author": .field(\.authorID),
    "featured": .field(\.featured), "created_at": .field(\.createdAt), "published_at": .field(\.publishedAt),
])

extension SQL {
    /// The bound value at `index` read as UTF-8 text (how text binds in binary format).
    func boundText(_ index: Int) -> String? {
        bindings.fields[index].bytes.map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Filter {
    /// The condition's SQL text.
    var text: String {
        get throws { try build().text }
    }
}

/// The error `body` throws, as `E`, or nil.
func thrown<E: Error>(_ type: E.Type, _ body: () throws -> Void) -> E? {
    do {
        try body()
        return nil
    } catch let error as E {
        return error
    } catch {
        return nil
    }
}
