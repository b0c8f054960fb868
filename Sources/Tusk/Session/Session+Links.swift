extension Session {
    // MARK: - Join rows of many-to-many relations

    /// Queues the join rows linking `owner` to `targets` through the many-to-many relation
    /// `relation` (declared in ``HasRelations/relations``); they are inserted at the next flush,
    /// in its one pipelined round trip.
    ///
    /// ```swift
    /// try session.link(post, \.tags, to: [swift, postgres])
    /// try session.unlink(post, \.tags, from: [draft])
    /// try await session.flush()    // the inserts and deletes of post_tags, one round trip
    /// ```
    ///
    /// Within a flush, inserts go before deletes: a pair both linked and unlinked in one flush
    /// ends unlinked. Linking a pair that is already linked fails the flush with the join
    /// table's unique violation, and the transaction with it.
    ///
    /// - Throws: ``RepositoryError`` with code `invalidArgument`, before anything is queued, when
    ///   `relation` is not a declared many-to-many, `owner` has no key yet (link its
    ///   ``PendingInsert`` instead) or a target has none (flush it first).
    public func link<Owner: HasRelations, Target: Model>(
        _ owner: Owner, _ relation: KeyPath<Owner, Related<[Target]>>, to targets: [Target]
    ) throws {
        pendingInserts += try joinRows(owner, relation, targets, kind: .insert)
    }

    /// Queues the join rows linking a model added to this session, not flushed yet, to
    /// `targets`. They are inserted by the same statement as the model's row, since they need
    /// the key the server generates for it (one writable CTE: `WITH tusk_row AS (INSERT …
    /// RETURNING *), … INSERT INTO "post_tags" … SELECT tusk_row."id", …`).
    ///
    /// ```swift
    /// let post = session.add(Post(id: nil, authorID: ada.id ?? 0, title: "Notes", body: "…"))
    /// try session.link(post, \.tags, to: [swift, postgres])
    /// try await session.flush()    // the post and its two join rows, one statement
    /// ```
    ///
    /// - Throws: ``RepositoryError`` with code `invalidArgument`, before anything is queued, when
    ///   `relation` is not a declared many-to-many, `pending` is not waiting in this session,
    ///   or a target has no key yet (flush it first).
    public func link<Owner: HasRelations, Target: Model>(
        _ pending: PendingInsert<Owner>, _ relation: KeyPath<Owner, Related<[Target]>>, to targets: [Target]
    ) throws {
        if let stored = pending.stored {
            try link(stored, relation, to: targets)
            return
        }
        let join = try Self.joinTable(relation)
        guard let index = pendingInserts.lastIndex(where: { $0.handle == ObjectIdentifier(pending) }) else {
            throw RepositoryError(.invalidArgument,
                                  "the \(Owner.self) to link is not waiting to be inserted by this session (was its flush rolled back?)")
        }
        let columns = try join.columns()
        let keys = try join.targetKeyArray(targets)
        guard !targets.isEmpty else { return }
        pendingInserts[index].linkedRows.append(LinkedRows(
            table: join.table, ownerLink: columns.ownerLink, targetLink: columns.targetLink,
            ownerKey: columns.ownerKey, targetKeys: keys))
    }

    /// Queues the deletes of the join rows linking `owner` to `targets`; deleted at the next
    /// flush, after its inserts and updates. A pair that is not linked is no error.
    ///
    /// - Throws: ``RepositoryError`` with code `invalidArgument`, before anything is queued, when
    ///   `relation` is not a declared many-to-many, or `owner` or a target has no key.
    public func unlink<Owner: HasRelations, Target: Model>(
        _ owner: Owner, _ relation: KeyPath<Owner, Related<[Target]>>, from targets: [Target]
    ) throws {
        pendingDeletes += try joinRows(owner, relation, targets, kind: .delete)
    }

    // MARK: - Private

    /// One pending write a join row: an insert of its two columns, or a delete keyed by them.
    private func joinRows<Owner: HasRelations, Target: Model>(
        _ owner: Owner, _ relation: KeyPath<Owner, Related<[Target]>>, _ targets: [Target], kind: PendingWrite.Kind
    ) throws -> [PendingWrite] {
        let join = try Self.joinTable(relation)
        guard let ownerField = try join.ownerKeyField(owner) else {
            throw RepositoryError(.invalidArgument,
                                  "the \(Owner.self) to link has no key yet: link the PendingInsert that session.add returned")
        }
        return try targets.map { target in
            let fields = [ownerField, try join.targetKeyField(target)]
            return PendingWrite(kind: kind, table: join.table, entity: join.entity, fields: kind == .insert ? fields : [],
                                key: kind == .delete ? fields : [], serverGenerated: [], complete: { _ in })
        }
    }

    private static func joinTable<Owner: HasRelations, Target: Model>(
        _ relation: KeyPath<Owner, Related<[Target]>>
    ) throws -> JoinTable<Owner> {
        guard let join = try Owner.relations(for: [relation]).first?.joinTable else {
            throw RepositoryError(.invalidArgument, "\(relation) is not a many-to-many relation of \(Owner.self): it has no join table")
        }
        return join
    }
}
