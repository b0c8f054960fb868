import Foundation
import TuskModel

/// One column of each common value type.
@Model(table: "kinds")
struct CompiledKinds {
    var id: UUID
    var tags: [String]
    var maybeTags: [String]?
    var blob: Data
    var amount: Decimal
    var seenAt: Date?
    var count: Int32
    var active: Bool
    @JSON var meta: [String: Int]?
}
