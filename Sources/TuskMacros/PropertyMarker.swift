import SwiftSyntax

/// The property markers `@Model` reads, by attribute name.
enum PropertyMarker: String, CaseIterable {
    case column = "Column"
    case id = "ID"
    case serverDefault = "ServerDefault"
    case json = "JSON"
    case transient = "Transient"

    /// The marker an attribute spells, also module-qualified (`@TuskModel.ID`), or nil.
    init?(_ attribute: AttributeSyntax) {
        let name: String
        if let identifier = attribute.attributeName.as(IdentifierTypeSyntax.self) {
            name = identifier.name.text
        } else if let member = attribute.attributeName.as(MemberTypeSyntax.self) {
            name = member.name.text
        } else {
            return nil
        }
        self.init(rawValue: name)
    }

    /// The markers in an attribute list, each with its attribute, in source order.
    static func all(in attributes: AttributeListSyntax) -> [(PropertyMarker, AttributeSyntax)] {
        attributes.compactMap { element in
            guard let attribute = element.as(AttributeSyntax.self), let marker = PropertyMarker(attribute) else { return nil }
            return (marker, attribute)
        }
    }
}
