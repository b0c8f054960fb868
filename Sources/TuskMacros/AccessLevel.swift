import SwiftSyntax

/// A declaration's access level, ordered from most to least restricted.
enum AccessLevel: Int, Comparable {
    case `private`, `fileprivate`, `internal`, `package`, `public`

    /// The level `modifiers` declare; internal when they name none. `private(set)` and its
    /// kind restrict the setter only, so they are not the declaration's level.
    init(_ modifiers: DeclModifierListSyntax) {
        self = .internal
        for modifier in modifiers where modifier.detail == nil {
            switch modifier.name.tokenKind {
            case .keyword(.open), .keyword(.public): self = .public
            case .keyword(.package): self = .package
            case .keyword(.internal): self = .internal
            case .keyword(.fileprivate): self = .fileprivate
            case .keyword(.private): self = .private
            default: continue
            }
        }
    }

    /// The modifier, with a trailing space, for a member the macro generates at this level:
    /// "" for internal; `private` becomes `fileprivate`, since a generated member sits in an
    /// extension (or the nested `Columns`) where `private` would hide it from the rest of the file.
    var generatedModifier: String {
        switch self {
        case .public: "public "
        case .package: "package "
        case .internal: ""
        case .fileprivate, .private: "fileprivate "
        }
    }

    static func < (lhs: AccessLevel, rhs: AccessLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
