/// How a ``RepositoryService`` turns a DTO (any `Encodable`) into columns of its model, and the
/// statements it writes them with. Kept apart from the service so it can be tested without a
/// database.
enum ServiceData {
    /// The encoded fields of `data`, each naming a column of `M`: a field whose coding key is a
    /// property of `M` takes that property's column (so `CodingKeys` renames carry over), and
    /// any other field must be a column of `M` after `M`'s key mapping. A nil field is left out
    /// (a patch's unset field), after its name is checked.
    ///
    /// - Throws: ``RepositoryError`` with `unknownColumn` for a field that is no column of `M`,
    ///   `invalidArgument` for two fields of one column; ``PostgresEncodingError``.
    static func fields<M: Model>(of data: some Encodable, for model: M.Type) throws -> [EncodedRow.Field] {
        let schema = ModelSchema.of(M.self)
        var seen: Set<String> = []
        let fields = try EncodedRow(encoding: data, keyMapping: M.keyMapping).fields.map { field in
            var field = field
            if let index = schema.properties.firstIndex(of: field.key) {
                field.column = schema.columns[index]
            } else if !schema.columnSet.contains(field.column) {
                throw RepositoryError(.unknownColumn,
                                      "\(type(of: data)).\(field.key) is not a column of \(M.entityName) (columns: \(schema.columns.joined(separator: ", ")))")
            }
            guard seen.insert(field.column).inserted else {
                throw RepositoryError(.invalidArgument, "\(type(of: data)) sets column \(field.column.debugDescription) of \(M.entityName) twice")
            }
            return field
        }
        return fields.filter { $0.bytes != nil }
    }

    /// `INSERT INTO t (dto columns) VALUES (…) RETURNING *`: the columns the DTO leaves out get
    /// their defaults.
    static func insert<M: Model>(_ fields: [EncodedRow.Field], into model: M.Type) -> SQL {
        "\(FlushPlan.insert(into: M.tableSQL, fields, serverGenerated: M.serverGenerated, managed: .of(M.self))) RETURNING \(M.rowColumns)"
    }

    /// `UPDATE t SET (dto columns) WHERE key RETURNING *`, or nil when the DTO sets nothing. A
    /// primary-key field must repeat the key (a model passed as its own DTO) and is not set.
    ///
    /// - Throws: ``RepositoryError`` with `invalidArgument` for a key field that differs from `key`.
    static func update<M: Model>(_ fields: [EncodedRow.Field], key: [EncodedRow.Field], of model: M.Type) throws -> SQL? {
        var assigned: [EncodedRow.Field] = []
        for field in fields {
            guard let keyField = key.first(where: { $0.column == field.column }) else {
                assigned.append(field)
                continue
            }
            guard keyField.bytes == field.bytes else {
                throw RepositoryError(.invalidArgument,
                                      "an update of \(M.entityName) cannot change its key column \(field.column.debugDescription): the row is named by id")
            }
        }
        guard !assigned.isEmpty else { return nil }
        var write = PendingWrite(kind: .update, table: M.tableSQL, entity: M.entityName, fields: assigned, key: key,
                                 serverGenerated: [], complete: { _ in })
        write.managed = .of(M.self)
        return FlushPlan.statement(for: write)
    }
}
