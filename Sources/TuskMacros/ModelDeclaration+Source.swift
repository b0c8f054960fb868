extension ModelDeclaration {
    /// The members of the extension, as source, indented one level.
    var memberSource: String {
        let type = typeName
        let access = typeAccess.generatedModifier
        var blocks: [String] = []
        if let table { blocks.append("\(access)static var tableName: String { \(Self.literal(table)) }") }
        if let schema { blocks.append("\(access)static var schemaName: String? { \(Self.literal(schema)) }") }
        if !declared.contains("primaryKey") {
            blocks.append("\(access)static var primaryKey: [String] { \(Self.arrayLiteral(primaryKey.map(\.name))) }")
        }
        if !declared.contains("serverGenerated") {
            let generated = columns.filter { $0.property.markers.contains(.serverDefault) }.map(\.name)
            blocks.append("\(access)static var serverGenerated: Set<String> { \(Self.arrayLiteral(generated)) }")
        }
        // The names are fixed at compile time: the keys the row writer receives are the columns.
        blocks.append("\(access)static var keyMapping: Tusk.KeyMapping { .useKeys }")

        let columnEntries = columns.map { column in
            "Tusk.ModelColumn(\(Self.literal(column.name)), property: \(Self.literal(column.property.name)), "
                + "keyPath: \\\(type).\(column.property.reference)),"
        }
        blocks.append("""
            \(access)static var modelColumns: [Tusk.ModelColumn<\(type)>]? {
                \(columnEntries.isEmpty ? "[]" : "[\n\(Self.indent(columnEntries, 2))\n    ]")
            }
            """)

        let reads = columns.map { column in
            // The type is inferred from the property, never spelled: the extension is at file
            // scope, where a type nested beside the model (`Outer.Tier`) is not found by its name.
            let read = column.property.markers.contains(.json) ? "nextJSON" : "next"
            return "self.\(column.property.reference) = try reader.\(read)()"
        } + unloadedRelations.map { relation in
            "self.\(relation.reference) = .init()"
        }
        blocks.append(Self.function("\(access)init(modelRow reader: inout Tusk.ModelRowReader) throws", reads))

        let writes = columns.map { column in
            let write = column.property.markers.contains(.json) ? "encodeJSON" : "encode"
            return "try writer.\(write)(self.\(column.property.reference), column: \(Self.literal(column.name)))"
        }
        blocks.append(Self.function(
            "\(access)func encodeModelRow<Writer: Tusk.ModelRowWriter>(into writer: inout Writer) throws", writes))

        let keyPaths = columns.map { column in
            // No more visible than the property: a key path would expose what its access hides.
            let access = min(typeAccess, column.property.access).generatedModifier
            // Inferred, so a type nested beside the model needs no name the file scope lacks; a
            // generic model can hold no stored static, and spells its key path's type.
            guard isGeneric else {
                return "\(access)static let \(column.property.reference) = \\\(type).\(column.property.reference)"
            }
            return "\(access)static var \(column.property.reference): KeyPath<\(type), \(column.type.generatedText)> "
                + "{ \\\(type).\(column.property.reference) }"
        }
        blocks.append("""
            /// Key paths of the columns only, so a filter or order that names a non-column does not compile.
            \(Self.function("\(access)enum Columns", keyPaths))
            """)

        if !declared.contains("id") { blocks += identitySource }
        return blocks.map { Self.indent($0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), 1) }
            .joined(separator: "\n")
    }

    /// For a key not held by a property `id`: `var id`, and for a composite key the `ID` it returns.
    private var identitySource: [String] {
        let access = typeAccess.generatedModifier
        if primaryKey.count == 1, let key = primaryKey.first {
            guard key.property.name != "id" else { return [] }
            return ["""
                /// The primary key, \(Self.literal(key.name)).
                \(access)var id: \(key.type.generatedText) { self.\(key.property.reference) }
                """]
        }
        guard primaryKey.count > 1 else { return [] }
        let properties = primaryKey.map { "\(access)var \($0.property.reference): \($0.type.generatedText)" }
        let parameters = primaryKey.map { "\($0.property.reference): \($0.type.generatedText)" }.joined(separator: ", ")
        let assignments = primaryKey.map { "self.\($0.property.reference) = \($0.property.reference)" }
        let keys = primaryKey.map { "case \($0.property.reference) = \(Self.literal($0.name))" }
        let arguments = primaryKey.map { "\($0.property.reference): \($0.property.reference)" }.joined(separator: ", ")
        let structBody = properties + [""] + Self.function("\(access)init(\(parameters))", assignments).split(separator: "\n").map(String.init)
            + [""] + Self.function("enum CodingKeys: String, CodingKey", keys).split(separator: "\n").map(String.init)
        return [
            """
            /// The composite primary key's values, encoded with its column names.
            \(Self.function("\(access)struct ID: Hashable, Encodable, Sendable", structBody))
            """,
            """
            /// This row's composite primary key.
            \(access)var id: ID { ID(\(arguments)) }
            """,
        ]
    }

    /// `header { lines }`, the lines indented one level, blank lines left blank.
    private static func function(_ header: String, _ lines: [String]) -> String {
        lines.isEmpty ? "\(header) {\n}" : "\(header) {\n\(indent(lines, 1))\n}"
    }

    private static func indent(_ lines: [String], _ levels: Int) -> String {
        let prefix = String(repeating: "    ", count: levels)
        return lines.map { $0.isEmpty ? "" : prefix + $0 }.joined(separator: "\n")
    }

    private static func arrayLiteral(_ strings: [String]) -> String {
        "[\(strings.map(literal).joined(separator: ", "))]"
    }

    /// A Swift string literal of `string`.
    static func literal(_ string: String) -> String {
        var escaped = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
