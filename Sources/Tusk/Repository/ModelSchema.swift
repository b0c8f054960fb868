// The standard library's reflection metadata is the one way to name a key path's stored property
// without an instance; it is what `Mirror` and key-path descriptions read too.
@_spi(Reflection) import Swift
import Synchronization

/// What Tusk knows of a model type without an instance: its stored properties, their columns,
/// and which key path reads which column. Built once per type from reflection metadata; models
/// are structs (value types), which is what dirty tracking by snapshot needs anyway.
///
/// `@unchecked Sendable`: `AnyKeyPath` is not marked `Sendable`, but key paths to stored
/// properties are immutable, and nothing here changes after init.
final class ModelSchema: @unchecked Sendable {
    /// Stored property names that are columns, in declaration order.
    let properties: [String]
    /// Column names, in declaration order (after the model's key mapping).
    let columns: [String]
    let columnSet: Set<String>
    private let columnsByKeyPath: [AnyKeyPath: String]

    /// Why some properties have no column, when the coding-key probe could not reach them.
    private let unmappedReason: String?
    /// Whether `@Model` declared the columns: rows are then read and written positionally, in
    /// ``columns`` order, through ``Model/init(modelRow:)`` and ``Model/encodeModelRow(into:)``.
    let isDeclared: Bool
    /// What a read selects: the declared columns by name, or `*` for a `Codable` model, whose
    /// coding keys decide at decode time which columns it reads.
    let selectList: SQL

    private init(properties: [String], columns: [String], columnsByKeyPath: [AnyKeyPath: String], unmappedReason: String?,
                 isDeclared: Bool) {
        self.properties = properties
        self.columns = columns
        columnSet = Set(columns)
        self.columnsByKeyPath = columnsByKeyPath
        self.unmappedReason = unmappedReason
        self.isDeclared = isDeclared
        selectList = isDeclared ? "\(idents: columns)" : "*"
    }

    /// The schema `@Model` wrote: no inspection of the type at run time.
    private convenience init<M>(declared: [ModelColumn<M>]) {
        var byKeyPath: [AnyKeyPath: String] = [:]
        for column in declared { byKeyPath[column.keyPath] = column.name }
        self.init(properties: declared.map(\.property), columns: declared.map(\.name), columnsByKeyPath: byKeyPath,
                  unmappedReason: nil, isDeclared: true)
    }

    /// The column a key path reads: a stored property of the model itself, encoded under a coding
    /// key Tusk knows.
    func column(for keyPath: AnyKeyPath) -> String? {
        columnsByKeyPath[keyPath]
    }

    /// The column a key path reads.
    ///
    /// - Throws: ``RepositoryError`` with `unknownColumn` (see ``unknownColumn(_:of:)``).
    func requireColumn<M>(for keyPath: AnyKeyPath, of type: M.Type) throws -> String {
        guard let column = columnsByKeyPath[keyPath] else { throw unknownColumn(keyPath, of: M.self) }
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
        let schema = M.modelColumns.map { ModelSchema(declared: $0) } ?? inspected(M.self)
        cache.withLock { $0[ObjectIdentifier(M.self)] = schema }
        return schema
    }

    private static func inspected<M: Model>(_ type: M.Type) -> ModelSchema {
        // The coding key of each property: a custom `CodingKeys` renames columns, and a property
        // it leaves out is no column at all.
        let coding = CodingKeyProbe.probe(M.self)
        var properties: [String] = []
        var columns: [String] = []
        var byKeyPath: [AnyKeyPath: String] = [:]
        _ = _forEachFieldWithKeyPath(of: M.self, options: []) { name, keyPath in
            // A relation's rows are not a column of this table.
            if Swift.type(of: keyPath).valueType is any NonColumnValue.Type { return true }
            let stored = String(cString: name)
            // Property wrappers store `_name`; the coding key is `name`.
            let property = stored.hasPrefix("_") ? String(stored.dropFirst()) : stored
            let key: String
            if let coded = coding.keys[property] {
                key = coded
            } else if coding.isComplete {
                return true  // not encoded, so not a column
            } else if coding.isCustomized {
                // The probe stopped before this property, and the type renames keys: guessing
                // could name the wrong column, so the key path names none.
                return true
            } else {
                key = property
            }
            let column = M.keyMapping.column(for: key)
            properties.append(property)
            columns.append(column)
            byKeyPath[keyPath] = column
            return true
        }
        var reason: String?
        if !coding.isComplete, coding.isCustomized {
            reason = "\(M.self) has custom CodingKeys and Tusk could learn them only up to a property whose type has no "
                + "placeholder value (an enum with raw values that is not CaseIterable, a type that validates its input); "
                + "make that type CaseIterable to map the properties after it"
        }
        return ModelSchema(properties: properties, columns: columns, columnsByKeyPath: byKeyPath, unmappedReason: reason,
                           isDeclared: false)
    }
}
