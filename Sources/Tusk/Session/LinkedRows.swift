/// Join rows inserted with the row of a pending insert, in the same statement, because they
/// need the key the server generates for it: `WITH tusk_row AS (INSERT … RETURNING *),
/// tusk_links_1 AS (INSERT INTO "post_tags" … SELECT tusk_row."id", … FROM tusk_row,
/// unnest($n)) SELECT * FROM tusk_row`.
struct LinkedRows {
    /// The quoted join table.
    let table: SQL
    /// The join table's column referencing the inserted row (`post_id`).
    let ownerLink: String
    /// The join table's column referencing the target (`tag_id`).
    let targetLink: String
    /// The inserted row's column the join rows reference (`id`).
    let ownerKey: String
    /// The targets' keys, one bound array.
    let targetKeys: SQL

    /// `insert` (an `INSERT … RETURNING *`) with the join rows of `links` inserted by the same
    /// statement; it returns the inserted row, as `insert` does.
    static func wrapping(_ insert: SQL, with links: [LinkedRows]) -> SQL {
        guard !links.isEmpty else { return insert }
        var sql: SQL = "WITH tusk_row AS (\(insert))"
        for (index, link) in links.enumerated() {
            sql.append("""
                , tusk_links_\(unsafeRaw: String(index + 1)) AS (INSERT INTO \(link.table) (\(idents: [link.ownerLink, link.targetLink])) \
                SELECT tusk_row.\(ident: link.ownerKey), tusk_target.tusk_key FROM tusk_row, \
                unnest(\(link.targetKeys)) AS tusk_target(tusk_key))
                """)
        }
        sql.append(" SELECT * FROM tusk_row")
        return sql
    }
}
