/// The join table of a many-to-many ``Relation``: which columns link an owner to a target, the
/// query that loads targets through it, and the join rows `Session.link` writes.
/// Built when the relation is declared (a `static let`, so it cannot throw); the columns are
/// resolved, and checked against the models, when it is used.
struct JoinTable<Owner: Model>: Sendable {
    /// The column alias carrying each loaded target's owner key.
    static var ownerKeyAlias: String { "tusk_owner_key" }

    /// The columns the relation names.
    struct Columns: Equatable {
        /// The join table's column referencing the owner (`post_id`).
        var ownerLink: String
        /// The join table's column referencing the target (`tag_id`).
        var targetLink: String
        /// The owner's referenced column (`posts.id`).
        var ownerKey: String
        /// The target's referenced column (`tags.id`).
        var targetKey: String
    }

    /// The quoted join table.
    let table: SQL
    /// The join table, for messages.
    let entity: String
    /// The columns, or why a key path names none.
    let columns: @Sendable () throws -> Columns
    /// The owner's key as a value of the join table's owner column; nil while it is NULL.
    let ownerKeyField: @Sendable (Owner) throws -> EncodedRow.Field?
    /// A target's key as a value of the join table's target column.
    let targetKeyField: @Sendable (any Sendable) throws -> EncodedRow.Field
    /// The targets' keys as one bound array, for a join-row insert that takes the owner's key
    /// from the row inserted with it.
    let targetKeyArray: @Sendable ([any Sendable]) throws -> SQL

    init<Link: Model, Target: Model, OwnerKey: RelationKey, TargetKey: RelationKey,
         LinkOwnerKey: RelationKey, LinkTargetKey: RelationKey>(
        ownerKey: any KeyPath<Owner, OwnerKey> & Sendable, link: Link.Type,
        ownerLink: any KeyPath<Link, LinkOwnerKey> & Sendable, targetLink: any KeyPath<Link, LinkTargetKey> & Sendable,
        target: Target.Type, targetKey: any KeyPath<Target, TargetKey> & Sendable
    ) {
        table = Link.tableSQL
        entity = Link.entityName
        let columns: @Sendable () throws -> Columns = {
            Columns(ownerLink: try ModelSchema.of(Link.self).requireColumn(for: ownerLink, of: Link.self),
                    targetLink: try ModelSchema.of(Link.self).requireColumn(for: targetLink, of: Link.self),
                    ownerKey: try ModelSchema.of(Owner.self).requireColumn(for: ownerKey, of: Owner.self),
                    targetKey: try ModelSchema.of(Target.self).requireColumn(for: targetKey, of: Target.self))
        }
        self.columns = columns
        ownerKeyField = { owner in
            try owner[keyPath: ownerKey].matchedKey.map { try EncodedRow.Field(column: try columns().ownerLink, value: $0) }
        }
        let targetKeyValue: @Sendable (any Sendable) throws -> TargetKey.Matched = { value in
            guard let target = value as? Target, let key = target[keyPath: targetKey].matchedKey else {
                throw RepositoryError(.invalidArgument,
                                      "a \(Target.self) linked through \(Link.entityName) has no \(targetKey) yet: flush it first")
            }
            return key
        }
        targetKeyField = { try EncodedRow.Field(column: try columns().targetLink, value: try targetKeyValue($0)) }
        targetKeyArray = { targets in
            let keys = try targets.map(targetKeyValue)
            return "\(keys)"
        }
    }

    /// The targets linked to `ownerKeys`, each with its owner's key as ``ownerKeyAlias``:
    /// `SELECT t.*, l."post_id" AS tusk_owner_key FROM "tags" AS t JOIN "post_tags" AS l ON
    /// l."tag_id" = t."id" WHERE l."post_id" = ANY($1)`, soft-deleted targets left out.
    ///
    /// - Throws: ``RepositoryError`` for a key path that names no column.
    /// - Parameter order: the target repository's ORDER BY clause (empty for none).
    func select<Target: Model, Key: PostgresArrayElement & Hashable>(
        _ target: Target.Type, ownerKeys: [Key], order: SQL
    ) throws -> SQL {
        let columns = try columns()
        var sql: SQL = """
            SELECT tusk_target.*, tusk_link.\(ident: columns.ownerLink) AS \(ident: Self.ownerKeyAlias) \
            FROM \(Target.tableSQL) AS tusk_target JOIN \(table) AS tusk_link \
            ON tusk_link.\(ident: columns.targetLink) = tusk_target.\(ident: columns.targetKey) \
            WHERE tusk_link.\(ident: columns.ownerLink) = ANY(\(Array(Set(ownerKeys))))
            """
        if let deleted = Repository<Target>.softDeleteColumn { sql.append(" AND tusk_target.\(ident: deleted) IS NULL") }
        // ORDER BY's bare names are the output columns: the target's, so the order reads as on
        // the target's own table.
        sql.append(order)
        return sql
    }
}

extension EncodedRow.Field {
    /// `value`, encoded as a non-NULL value of `column`.
    init<Value: PostgresEncodable>(column: String, value: Value) throws {
        var buffer = PostgresEncodingBuffer()
        try value.encode(into: &buffer)
        self.init(column: column, key: column, type: Value.postgresType, bytes: buffer.bytes)
    }
}
