import Synchronization

/// Remembers, per decoded type, which column each coding key reads, for the results of one
/// prepared statement. A statement's columns never change (a stale plan is an error the
/// connection handles), so after the first row of the first result, decoding a `Decodable` skips
/// every name lookup.
final class DecodingPlanCache: Sendable {
    struct Key: Hashable {
        let type: ObjectIdentifier
        /// Plans depend on the key mapping; only the built-in ones are cacheable.
        let mapping: KeyMapping.CacheKey
    }

    struct Plan: Sendable {
        let keys: [String]
        /// The column each key reads; nil where the result has none (an optional property
        /// absent from the query).
        let columns: [Int?]
    }

    private let plans = Mutex<[Key: Plan]>([:])

    func plan(for key: Key) -> Plan? {
        plans.withLock { $0[key] }
    }

    func store(_ plan: Plan, for key: Key) {
        plans.withLock { plans in
            if plans.count < 64 { plans[key] = plan }
        }
    }
}

extension KeyMapping {
    /// Identifies the built-in mappings; a custom closure has no identity and is never cached.
    enum CacheKey: Hashable, Sendable {
        case snakeCase
        case useKeys
    }
}
