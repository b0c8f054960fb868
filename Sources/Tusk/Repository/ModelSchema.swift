import Synchronization

/// What Tusk knows of a model type without an instance: its stored properties, their columns,
/// and which key path reads which column. Built once per type: from ``Model/modelColumns`` for
/// a `@Model` model, otherwise from the type's `Codable` conformance and its stored-property
/// layout (``StoredPropertyLayout``). Models are structs (value types), which is what dirty
/// tracking by snapshot needs anyway.
///
/// `@unchecked Sendable`: `AnyKeyPath` is not marked `Sendable`, but key paths to stored
/// properties are immutable, and nothing here changes after init.
final class ModelSchema: @unchecked Sendable {
    /// Stored property names that are columns, in declaration order.
    let properties: [String]
    /// Column names, in declaration order (after the model's key mapping).
    let columns: [String]
    let columnSet: Set<String>
    /// The column of a key path.
    private let locate: (AnyKeyPath) -> String?

    /// Why some properties have no column, when the coding-key probe could not reach them.
    private let unmappedReason: String?
    /// Whether `@Model` declared the columns: rows are then read and written positionally, in
    /// ``columns`` order, through ``Model/init(modelRow:)`` and ``Model/encodeModelRow(into:)``.
    let isDeclared: Bool
    /// What a read selects: the declared columns by name, or `*` for a `Codable` model, whose
    /// coding keys decide at decode time which columns it reads.
    let selectList: SQL

    private init(properties: [String], columns: [String], locate: @escaping (AnyKeyPath) -> String?,
                 unmappedReason: String?, isDeclared: Bool) {
        self.properties = properties
        self.columns = columns
        columnSet = Set(columns)
        self.locate = locate
        self.unmappedReason = unmappedReason
        self.isDeclared = isDeclared
        selectList = isDeclared ? "\(idents: columns)" : "*"
    }

    /// The column a key path reads: a stored property of the model itself, encoded under a coding
    /// key Tusk knows.
    func column(for keyPath: AnyKeyPath) -> String? {
        locate(keyPath)
    }

    /// The column a key path reads.
    ///
    /// - Throws: ``RepositoryError`` with `unknownColumn` (see ``unknownColumn(_:of:)``).
    func requireColumn<M>(for keyPath: AnyKeyPath, of type: M.Type) throws -> String {
        guard let column = locate(keyPath) else { throw unknownColumn(keyPath, of: M.self) }
        return column
    }

    /// The error for a key path that names no column.
    func unknownColumn<M>(_ keyPath: AnyKeyPath, of type: M.Type) -> RepositoryError {
        var message = "\(keyPath) is not a column of \(M.self): not a stored property, or one its coding keys leave out"
        if let unmappedReason { message += "; \(unmappedReason)" }
        return RepositoryError(.unknownColumn, message)
    }

    private static let cache = Mutex<[ObjectIdentifier: ModelSchema]>([:])

    static func of<M: Model>(_ type: M.Type) -> ModelSchema {
        if let cached = cache.withLock({ $0[ObjectIdentifier(M.self)] }) { return cached }
        let schema = M.modelColumns.map { declared($0) } ?? inspected(M.self)
        cache.withLock { $0[ObjectIdentifier(M.self)] = schema }
        return schema
    }

    /// The schema `@Model` wrote: nothing is inspected at run time.
    private static func declared<M>(_ declared: [ModelColumn<M>]) -> ModelSchema {
        var byKeyPath: [AnyKeyPath: String] = [:]
        for column in declared { byKeyPath[column.keyPath] = column.name }
        return ModelSchema(properties: declared.map(\.property), columns: declared.map(\.name), locate: { byKeyPath[$0] },
                           unmappedReason: nil, isDeclared: true)
    }

    /// The schema of a `Codable` model: the coding key of each stored property, from a probe of
    /// its `init(from:)` (a custom `CodingKeys` renames columns, and a property it leaves out is
    /// no column), and each key path's property from the probe instance's layout.
    private static func inspected<M: Model>(_ type: M.Type) -> ModelSchema {
        let coding = CodingKeyProbe.probe(M.self)
        guard let instance = coding.instance, let layout = StoredPropertyLayout(of: instance) else {
            let reason = "Tusk could not build a placeholder \(M.self) to learn its columns (a property's type validates its input "
                + "in init(from:)); declare the model with @Model (or make that type CaseIterable)"
            // The keys recorded before the probe stopped are still columns (a bulk write needs no
            // key path), but no key path can be told apart without the layout.
            let columns = coding.orderedKeys.map { M.keyMapping.column(for: $0.key) }
            return ModelSchema(properties: coding.orderedKeys.map(\.property), columns: columns, locate: { _ in nil },
                               unmappedReason: reason, isDeclared: false)
        }
        var properties: [String] = []
        var columns: [String] = []
        var columnsByProperty: [String: String] = [:]
        for property in layout.properties {
            // A relation's rows are not a column of this table.
            if property.type is any NonColumnValue.Type { continue }
            // Not encoded, so not a column.
            guard let key = coding.keys[property.name] else { continue }
            let column = M.keyMapping.column(for: key)
            properties.append(property.name)
            columns.append(column)
            columnsByProperty[property.name] = column
        }
        return ModelSchema(properties: properties, columns: columns, locate: { keyPath in
            guard let keyPath = keyPath as? PartialKeyPath<M>, let property = layout.property(at: keyPath) else { return nil }
            return columnsByProperty[property.name]
        }, unmappedReason: nil, isDeclared: false)
    }
}
