import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// What `@Model` found in a struct: its table, columns and key, checked, ready to generate.
struct ModelDeclaration {
    /// A column: the property that holds it and its name.
    struct Column {
        let property: ModelProperty
        let name: String
        let type: TypeSyntax
    }

    /// The type as the extension names it (`User`, or `Outer.User` for a nested one).
    let typeName: String
    /// Whether the struct has generic parameters (its extension can hold no stored statics).
    let isGeneric: Bool
    /// The generated members' access level: the struct's own (internal at least), so a public
    /// model's conformance is public and an internal one's need not be.
    let typeAccess: AccessLevel
    /// `table:`, unless the struct declares `tableName`.
    let table: String?
    /// `schema:`, unless the struct declares `schemaName`.
    let schema: String?
    /// Names of the properties the struct declares itself: the macro does not generate them.
    let declared: Set<String>
    let columns: [Column]
    /// Relations without an initial value: the row initializer leaves them not loaded.
    let unloadedRelations: [ModelProperty]
    /// The primary-key columns, in declaration order.
    let primaryKey: [Column]

    /// Checks `declaration`, diagnosing each problem; nil when there is any, so no half-made
    /// conformance adds errors of its own.
    init?(
        _ declaration: some DeclGroupSyntax,
        attachedTo attribute: AttributeSyntax,
        type: some TypeSyntaxProtocol,
        in context: some MacroExpansionContext
    ) {
        var failed = false
        func error(_ id: String, _ message: String, at node: some SyntaxProtocol) {
            context.diagnose(Diagnostic(node: node, message: TuskDiagnostic(id, message)))
            failed = true
        }

        guard let structDecl = declaration.as(StructDeclSyntax.self) else {
            error("notAStruct", "@Model applies to a struct, not \(Self.kind(of: declaration))", at: attribute)
            return nil
        }
        let members = structDecl.memberBlock.members
        declared = Set(members.flatMap { member -> [String] in
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { return [] }
            return variable.bindings.compactMap { $0.pattern.as(IdentifierPatternSyntax.self)?.identifier.unescapedText }
        })
        typeName = type.trimmedDescription
        isGeneric = structDecl.genericParameterClause != nil
        // A private or fileprivate struct's members stay internal: more visible than the type is harmless,
        // and the conformance then never depends on which file uses it.
        typeAccess = max(AccessLevel(structDecl.modifiers), .internal)

        var table: String?
        var schema: String?
        for argument in attribute.arguments?.as(LabeledExprListSyntax.self) ?? [] {
            let label = argument.label?.text
            if label == "schema", argument.expression.is(NilLiteralExprSyntax.self) { continue }
            guard let value = argument.expression.as(StringLiteralExprSyntax.self)?.literalValue else {
                error("argumentNotLiteral", "\(label ?? "the argument"): must be a string literal", at: argument.expression)
                continue
            }
            if value.isEmpty { error("argumentEmpty", "\(label ?? "the argument"): must not be empty", at: argument.expression) }
            if label == "table" { table = value } else if label == "schema" { schema = value }
        }
        if table == nil, !declared.contains("tableName"), !failed {
            error("missingTable", "@Model needs the table: @Model(table: \"name\"), or a static var tableName", at: attribute)
        }
        self.table = declared.contains("tableName") ? nil : table
        self.schema = declared.contains("schemaName") ? nil : schema

        if let keyMapping = Self.member(named: "keyMapping", in: members) {
            error("keyMappingDeclared",
                  "@Model names the columns at compile time, so keyMapping would disagree with them; "
                      + "name columns with @Column or CodingKeys instead",
                  at: keyMapping)
        }

        let codingKeys = Self.codingKeys(in: members)
        func unusedMarkers(_ property: ModelProperty, _ markers: [PropertyMarker], because reason: String) {
            for marker in markers where property.markers.contains(marker) {
                error("markerOnNonColumn", "`\(property.name)` \(reason): @\(marker.rawValue) has no effect", at: property.node)
            }
        }
        var columns: [Column] = []
        var unloadedRelations: [ModelProperty] = []
        var owners: [String: String] = [:]
        for property in ModelProperty.all(in: members) where !property.markers.contains(.transient) {
            if property.isRelation {
                unusedMarkers(property, [.column, .id, .serverDefault, .json], because: "is a relation, not a column")
                if !property.hasInitializer { unloadedRelations.append(property) }
                continue
            }
            if let codingKeys, codingKeys[property.name] == nil, property.columnName == nil {
                // Like Codable: a property the coding keys leave out, unless @Column names it, keeps its
                // default value.
                unusedMarkers(property, [.id, .serverDefault, .json], because: "is not in CodingKeys, so it is not a column")
                if !property.hasDefault {
                    error("notInCodingKeysWithoutDefault",
                          "`\(property.name)` is not in CodingKeys, so it is not a column and needs a default value",
                          at: property.node)
                }
                continue
            }
            if property.isLazy {
                error("lazyColumn",
                      "`\(property.name)` is lazy, so it has no key path and cannot be a column; mark it @Transient",
                      at: property.node)
                continue
            }
            guard let type = property.type else {
                error("missingType", "give `\(property.name)` an explicit type, or mark it @Transient", at: property.node)
                continue
            }
            let name = property.columnName ?? SnakeCase.column(for: codingKeys?[property.name] ?? property.name)
            if let owner = owners[name] {
                error("duplicateColumn",
                      "`\(property.name)` and `\(owner)` both map to column \"\(name)\"; name one of them with @Column",
                      at: property.node)
                continue
            }
            owners[name] = property.name
            columns.append(Column(property: property, name: name, type: type))
        }
        self.columns = columns
        self.unloadedRelations = unloadedRelations

        var primaryKey = columns.filter { $0.property.markers.contains(.id) }
        if primaryKey.isEmpty, let id = columns.first(where: { $0.property.name == "id" }) { primaryKey = [id] }
        if primaryKey.isEmpty, !declared.contains("primaryKey"), !failed {
            error("missingPrimaryKey", "mark the primary key with @ID (or name it `id`)", at: structDecl.name)
        }
        if let id = columns.first(where: { $0.property.name == "id" }), id.type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            // It is the struct's Model.id, and Swift infers no associated type from an implicitly
            // unwrapped property: Model.ID would be left unsatisfied, with an error that does not say why.
            error("implicitlyUnwrappedID", "`id` cannot be implicitly unwrapped: declare it `\(id.type.generatedText)`",
                  at: id.property.node)
        }
        self.primaryKey = primaryKey
        if failed { return nil }
    }

    /// The pattern of a property `name` the members declare, for a diagnostic.
    private static func member(named name: String, in members: MemberBlockItemListSyntax) -> PatternSyntax? {
        for member in members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            if let binding = variable.bindings.first(where: {
                $0.pattern.as(IdentifierPatternSyntax.self)?.identifier.unescapedText == name
            }) {
                return binding.pattern
            }
        }
        return nil
    }

    /// By property name, the string of its coding key, when the struct declares `CodingKeys`;
    /// nil when it does not.
    private static func codingKeys(in members: MemberBlockItemListSyntax) -> [String: String]? {
        guard let keys = members.lazy.compactMap({ $0.decl.as(EnumDeclSyntax.self) }).first(where: { $0.name.text == "CodingKeys" })
        else { return nil }
        var strings: [String: String] = [:]
        for member in keys.memberBlock.members {
            guard let cases = member.decl.as(EnumCaseDeclSyntax.self) else { continue }
            for element in cases.elements {
                let name = element.name.unescapedText
                strings[name] = element.rawValue?.value.as(StringLiteralExprSyntax.self)?.literalValue ?? name
            }
        }
        return strings
    }

    private static func kind(of declaration: some DeclGroupSyntax) -> String {
        if declaration.is(ClassDeclSyntax.self) { return "a class" }
        if declaration.is(EnumDeclSyntax.self) { return "an enum" }
        if declaration.is(ActorDeclSyntax.self) { return "an actor" }
        if declaration.is(ProtocolDeclSyntax.self) { return "a protocol" }
        if declaration.is(ExtensionDeclSyntax.self) { return "an extension" }
        return "this declaration"
    }
}
