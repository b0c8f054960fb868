/// Routes the generic decode entry points (``QueryResult/decode(_:keyMapping:)``,
/// ``Row/decode(_:keyMapping:)``, binary COPY batches) to ``Model/init(modelRow:)`` when the type
/// is a `@Model` model, so every read of such a model is positional, whoever runs the query.
///
/// The check is one cast and one cached schema lookup per result, not per row.
enum DeclaredModelDecoding {
    /// `rows` of `source` decoded as `T`, or nil when `T` is not a `@Model` model.
    static func decode<T>(_ type: T.Type, from source: ModelRowReader.Source, rows: Range<Int>) throws -> [T]? {
        guard let model = T.self as? any Model.Type else { return nil }
        return try decodeRows(model, as: T.self, from: source, rows: rows)
    }

    private static func decodeRows<M: Model, T>(_ model: M.Type, as type: T.Type, from source: ModelRowReader.Source,
                                                rows: Range<Int>) throws -> [T]? {
        let schema = ModelSchema.of(M.self)
        guard schema.isDeclared, M.self == T.self else { return nil }
        var reader = ModelRowReader(source: source, names: schema.columns)
        // Filled in place: in this unspecialized code an `append` per row would look up the
        // metadata of `Array<M>` every time.
        let models = try [M](unsafeUninitializedCapacity: rows.count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            for row in rows {
                reader.start(row: row)
                (base + initialized).initialize(to: try M(modelRow: &reader))
                initialized += 1
            }
        }
        // M and T are the same type (checked above): this only restores the static type.
        return unsafeBitCast(models, to: [T].self)
    }
}
