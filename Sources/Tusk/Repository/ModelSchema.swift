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
    /// Stored property names, in declaration order.
    let properties: [String]
    /// Column names, in declaration order (after the model's key mapping).
    let columns: [String]
    let columnSet: Set<String>
    private let columnsByKeyPath: [AnyKeyPath: String]

    private init(properties: [String], columns: [String], columnsByKeyPath: [AnyKeyPath: String]) {
        self.properties = properties
        self.columns = columns
        columnSet = Set(columns)
        self.columnsByKeyPath = columnsByKeyPath
    }

    /// The column a key path reads: a stored property of the model itself.
    func column(for keyPath: AnyKeyPath) -> String? {
        columnsByKeyPath[keyPath]
    }

    private static let cache = Mutex<[ObjectIdentifier: ModelSchema]>([:])

    static func of<M: Model>(_ type: M.Type) -> ModelSchema {
        if let cached = cache.withLock({ $0[ObjectIdentifier(M.self)] }) { return cached }
        var properties: [String] = []
        var columns: [String] = []
        var byKeyPath: [AnyKeyPath: String] = [:]
        _ = _forEachFieldWithKeyPath(of: M.self, options: []) { name, keyPath in
            let property = String(cString: name)
            // Property wrappers store `_name`; the coding key is `name`.
            let key = property.hasPrefix("_") ? String(property.dropFirst()) : property
            let column = M.keyMapping.column(for: key)
            properties.append(key)
            columns.append(column)
            byKeyPath[keyPath] = column
            return true
        }
        let schema = ModelSchema(properties: properties, columns: columns, columnsByKeyPath: byKeyPath)
        cache.withLock { $0[ObjectIdentifier(M.self)] = schema }
        return schema
    }
}
