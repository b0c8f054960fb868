/// How many connections the pool has in each state, and how many tasks wait.
struct PoolCounts: Equatable, Sendable {
    var idle = 0
    var leased = 0
    var opening = 0
    var closing = 0
    var waiters = 0
    /// Every connection the server may see: idle, leased, opening and closing.
    var total: Int { idle + leased + opening + closing }
}
