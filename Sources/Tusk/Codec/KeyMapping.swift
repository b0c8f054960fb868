import Synchronization

/// How Swift property names (coding keys) map to column names.
///
/// The default, ``snakeCase``, maps `createdAt` to `created_at` and `userID` to `user_id`, the
/// way `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` does; names already in snake_case
/// are unchanged.
public struct KeyMapping: Sendable {
    private enum Kind: Sendable {
        case snakeCase
        case identity
        case custom(@Sendable (String) -> String)
    }

    private let kind: Kind

    /// `createdAt` → `created_at`.
    public static let snakeCase = KeyMapping(kind: .snakeCase)
    /// Coding keys are column names as they are.
    public static let useKeys = KeyMapping(kind: .identity)

    /// A mapping of your own.
    public static func custom(_ transform: @escaping @Sendable (String) -> String) -> KeyMapping {
        KeyMapping(kind: .custom(transform))
    }

    /// The identity of a built-in mapping, for caches; nil for a custom one.
    var cacheKey: CacheKey? {
        switch kind {
        case .snakeCase: .snakeCase
        case .identity: .useKeys
        case .custom: nil
        }
    }

    /// The column name for a coding key.
    public func column(for key: String) -> String {
        switch kind {
        case .snakeCase: Self.cachedSnakeCase(key)
        case .identity: key
        case .custom(let transform): transform(key)
        }
    }

    private static let snakeCaseCache = Mutex<[String: String]>([:])

    private static func cachedSnakeCase(_ key: String) -> String {
        if let cached = snakeCaseCache.withLock({ $0[key] }) { return cached }
        let converted = snakeCase(key)
        snakeCaseCache.withLock { cache in
            // Keys come from types, a bounded set; the bound guards against dynamic keys.
            if cache.count < 10_000 { cache[key] = converted }
        }
        return converted
    }

    /// `myURLProperty` → `my_url_property`, `userID` → `user_id`, `already_snake` unchanged.
    static func snakeCase(_ key: String) -> String {
        let characters = Array(key)
        guard !characters.isEmpty else { return key }
        var result = ""
        result.reserveCapacity(characters.count + 4)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previous = index > 0 ? characters[index - 1] : nil
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsWord = index > 0 && previous != "_"
                    && ((previous.map { $0.isLowercase || $0.isNumber } ?? false)
                        || (previous?.isUppercase == true && (next?.isLowercase ?? false)))
                if startsWord { result.append("_") }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
