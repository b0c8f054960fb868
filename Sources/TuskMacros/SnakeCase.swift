/// `Tusk.KeyMapping.snakeCase`, ported so `@Model` names columns at compile time exactly as the
/// runtime's `Codable` path would: the macro cannot link Tusk, and a difference between the two
/// would point a query at a column that does not exist.
public enum SnakeCase {
    /// `myURLProperty` → `my_url_property`, `userID` → `user_id`, `already_snake` unchanged.
    public static func column(for key: String) -> String {
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
