/// How one ``Related`` property of `Owner` is loaded: a belongs-to, a has-many or a
/// many-to-many through a join table. Declared once in ``HasRelations/relations``; each
/// relation loads with one `= ANY($1)` query for a whole list of owners, never one per row.
///
/// ```swift
/// extension Author: HasRelations {
///     static let relations: [Relation<Author>] = [
///         .hasMany(\.posts, foreignKey: \Post.authorID, references: \.id, orderBy: [.asc(\.id)]),
///     ]
/// }
/// ```
public struct Relation<Owner: Model>: Sendable {
    /// The ``Related`` property this relation fills.
    let property: any AnyKeyPath & Sendable
    /// Loads the relation for `owners` and fills their property.
    let load: @Sendable (_ owners: inout [Owner], _ session: Session) async throws -> Void
    /// The join table of a many-to-many, whose rows `Session.link` writes.
    let joinTable: JoinTable<Owner>?

    // MARK: - Declarations

    /// A belongs-to: the owner's `foreignKey` references the parent's `references` column
    /// (`posts.author_id` → `authors.id`). Loaded with one `WHERE id = ANY($1)` query; a NULL
    /// key, or a row that no longer exists, loads as nil. A soft-deleted parent still loads:
    /// the row still references it.
    public static func belongsTo<Parent: Model, Key: RelationKey, ParentKey: RelationKey>(
        _ property: any WritableKeyPath<Owner, Related<Parent?>> & Sendable,
        foreignKey: any KeyPath<Owner, Key> & Sendable,
        references parentKey: any KeyPath<Parent, ParentKey> & Sendable
    ) -> Relation where Key.Matched == ParentKey.Matched {
        Relation(property: property, joinTable: nil) { owners, session in
            let keys = owners.compactMap { $0[keyPath: foreignKey].matchedKey }
            let parents = try await session.repository(Parent.self)
                .keyed(byRelationKey: parentKey, in: keys, includeDeleted: true)
            for index in owners.indices {
                let parent = owners[index][keyPath: foreignKey].matchedKey.flatMap { parents[$0] }
                owners[index][keyPath: property] = Related(parent)
            }
        }
    }

    /// A has-many: the children's `foreignKey` references the owner's `references` column
    /// (`posts.author_id` → `authors.id`). Loaded with one `WHERE author_id = ANY($1)` query,
    /// sorted by `orderBy`; an owner without children loads as `[]`. Soft-deleted children are
    /// left out.
    public static func hasMany<Child: Model, Key: RelationKey, OwnerKey: RelationKey>(
        _ property: any WritableKeyPath<Owner, Related<[Child]>> & Sendable,
        foreignKey: any KeyPath<Child, Key> & Sendable,
        references ownerKey: any KeyPath<Owner, OwnerKey> & Sendable,
        orderBy: [Order<Child>] = []
    ) -> Relation where Key.Matched == OwnerKey.Matched {
        Relation(property: property, joinTable: nil) { owners, session in
            let keys = owners.compactMap { $0[keyPath: ownerKey].matchedKey }
            let children = try await session.repository(Child.self).grouped(byRelationKey: foreignKey, in: keys, orderBy: orderBy)
            for index in owners.indices {
                let key = owners[index][keyPath: ownerKey].matchedKey
                owners[index][keyPath: property] = Related(key.flatMap { children[$0] } ?? [])
            }
        }
    }

    /// A many-to-many through the join table of `Link`, whose `ownerLink` column references the
    /// owner's `ownerKey` and whose `targetLink` column references the target's `targetKey`
    /// (`post_tags.post_id` → `posts.id`, `post_tags.tag_id` → `tags.id`).
    ///
    /// Loaded with one query joining the join table to the targets
    /// (`… JOIN "tags" ON … WHERE "post_tags"."post_id" = ANY($1)`): one round trip rather than
    /// two (join rows, then targets), at the price of a target linked to several owners coming
    /// back once per owner. An owner without links loads as `[]`; soft-deleted targets are left
    /// out. Write join rows with ``Session/link(_:_:to:)-(Owner,_,_)``,
    /// ``Session/link(_:_:to:)-(PendingInsert<Owner>,_,_)`` and ``Session/unlink(_:_:from:)``.
    public static func manyToMany<Target: Model, Link: Model, OwnerKey: RelationKey, TargetKey: RelationKey,
                                  LinkOwnerKey: RelationKey, LinkTargetKey: RelationKey>(
        _ property: any WritableKeyPath<Owner, Related<[Target]>> & Sendable,
        ownerKey: any KeyPath<Owner, OwnerKey> & Sendable,
        through ownerLink: any KeyPath<Link, LinkOwnerKey> & Sendable,
        _ targetLink: any KeyPath<Link, LinkTargetKey> & Sendable,
        targetKey: any KeyPath<Target, TargetKey> & Sendable,
        orderBy: [Order<Target>] = []
    ) -> Relation where OwnerKey.Matched == LinkOwnerKey.Matched, TargetKey.Matched == LinkTargetKey.Matched {
        let join = JoinTable<Owner>(ownerKey: ownerKey, link: Link.self, ownerLink: ownerLink, targetLink: targetLink,
                                    target: Target.self, targetKey: targetKey)
        return Relation(property: property, joinTable: join) { owners, session in
            let keys = owners.compactMap { $0[keyPath: ownerKey].matchedKey }
            var targets: [OwnerKey.Matched: [Target]] = [:]
            if !keys.isEmpty {
                let targetRepository = session.repository(Target.self)
                let sql = try join.select(Target.self, ownerKeys: keys, order: try targetRepository.orderClause(orderBy))
                let result = try await session.query(sql)
                let decoded = try result.decode(Target.self, keyMapping: Target.keyMapping)
                for (row, target) in zip(result, decoded) {
                    targets[try row.decode(OwnerKey.Matched.self, column: JoinTable<Owner>.ownerKeyAlias), default: []].append(target)
                }
            }
            for index in owners.indices {
                let key = owners[index][keyPath: ownerKey].matchedKey
                owners[index][keyPath: property] = Related(key.flatMap { targets[$0] } ?? [])
            }
        }
    }

    private init(property: any AnyKeyPath & Sendable, joinTable: JoinTable<Owner>?,
                 load: @escaping @Sendable (_ owners: inout [Owner], _ session: Session) async throws -> Void) {
        self.property = property
        self.joinTable = joinTable
        self.load = load
    }
}
