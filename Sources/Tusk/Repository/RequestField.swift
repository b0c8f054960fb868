import Foundation

/// One field a request may name, for ``RequestFields``: a stored property of the model, whose
/// type decides how the request's text parses (see ``RequestValue``).
///
/// ```swift
/// let fields = RequestFields<Post>(["title": .field(\.title), "published_at": .field(\.publishedAt)])
/// ```
public struct RequestField<M: Model>: Sendable {
    /// What the field's values are, for the uses that need one kind.
    enum Kind: Sendable {
        case text, date, other
    }

    /// The model's column, or the error saying the key path is none.
    let column: Result<String, RepositoryError>
    let kind: Kind
    let isOptional: Bool
    let valueType: PostgresDataType
    let valueDescription: String
    /// The text as one bound value, or nil when it does not parse.
    let bindOne: @Sendable (String) -> SQL?
    /// The texts as one bound array (nil for none), or the index of the first that does not parse.
    let bindAll: @Sendable ([String]) -> Result<SQL?, BadElement>

    struct BadElement: Error {
        let index: Int
    }

    /// A field whose column is never NULL.
    public static func field<V: RequestValue>(_ keyPath: KeyPath<M, V>) -> RequestField {
        RequestField(keyPath, V.self, isOptional: false)
    }

    /// A field whose column may be NULL: ``RequestFields/isNull(_:_:parameter:)`` accepts it.
    public static func field<V: RequestValue>(_ keyPath: KeyPath<M, V?>) -> RequestField {
        RequestField(keyPath, V.self, isOptional: true)
    }

    private init<Value, V: RequestValue>(_ keyPath: KeyPath<M, Value>, _ type: V.Type, isOptional: Bool) {
        let schema = ModelSchema.of(M.self)
        column = schema.column(for: keyPath).map(Result.success) ?? .failure(schema.unknownColumn(keyPath, of: M.self))
        kind = V.self == String.self ? .text : V.self == Date.self ? .date : .other
        self.isOptional = isOptional
        valueType = V.postgresType
        valueDescription = V.requestTextDescription
        bindOne = { text in V(requestText: text).map { "\($0)" } }
        bindAll = { texts in
            var values: [V] = []
            values.reserveCapacity(texts.count)
            for (index, text) in texts.enumerated() {
                guard let value = V(requestText: text) else { return .failure(BadElement(index: index)) }
                values.append(value)
            }
            return .success(values.isEmpty ? nil : "\(values)")
        }
    }
}
