import Foundation
import Testing
@testable import Tusk

/// Declared relations without a server: what is a column, the many-to-many query, and the
/// writable CTE that inserts join rows with their parent.
@Suite struct RelationSQLTests {
    struct Writer: Model, Equatable {
        static let tableName = "writers"
        var id: Int64?
        var name: String
    }

    struct Label: Model, Equatable {
        static let tableName = "labels"
        var id: Int64?
        var name: String
    }

    struct Article: Model, Equatable, HasRelations {
        static let tableName = "articles"
        static let schemaName: String? = "blog"
        var id: Int64?
        var writerID: Int64
        var title: String
        var writer = Related<Writer?>()
        var labels = Related<[Label]>()

        static let relations: [Relation<Article>] = [
            .belongsTo(\.writer, foreignKey: \.writerID, references: \Writer.id),
            .manyToMany(\.labels, ownerKey: \.id, through: \ArticleLabel.articleID, \ArticleLabel.labelID,
                        targetKey: \Label.id),
        ]
    }

    struct ArticleLabel: Model {
        struct Key: Encodable, Sendable { var articleID: Int64; var labelID: Int64 }
        static let tableName = "article_labels"
        static let primaryKey = ["article_id", "label_id"]
        var articleID: Int64
        var labelID: Int64
        var id: Key { Key(articleID: articleID, labelID: labelID) }
    }

    private func squeezed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test func aRelationIsNoColumn() throws {
        let schema = ModelSchema.of(Article.self)
        #expect(schema.columns == ["id", "writer_id", "title"])
        #expect(schema.column(for: \Article.labels) == nil)
        let article = Article(id: 1, writerID: 2, title: "t", writer: Related(Writer(id: 2, name: "w")),
                              labels: Related([Label(id: 3, name: "l")]))
        #expect(try EncodedRow(encoding: article).columns == ["id", "writer_id", "title"], "loaded relations are never written")
    }

    @Test func aRelationIsNotLoadedUntilLoadedAndThenMayBeEmpty() throws {
        let unloaded = Related<[Label]>()
        #expect(!unloaded.isLoaded)
        #expect(throws: RepositoryError.self) { try unloaded.get() }
        let empty = Related<[Label]>([])
        #expect(empty.isLoaded)
        #expect(try empty.get() == [])
        let missingParent = Related<Writer?>(nil)
        #expect(missingParent.isLoaded, "a belongs-to whose key is NULL is loaded, as nil")
        #expect(try missingParent.get() == nil)
    }

    @Test func relationsEncodeAsJSONWhenLoadedAndAsNullWhenNot() throws {
        let article = Article(id: 1, writerID: 2, title: "t", labels: Related([Label(id: 3, name: "swift")]))
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(article)) as? [String: Any]
        #expect(json?["writer"] is NSNull)
        #expect((json?["labels"] as? [[String: Any]])?.first?["name"] as? String == "swift")
        let decoded = try JSONDecoder().decode(Article.self, from: try JSONEncoder().encode(article))
        #expect(decoded == article)
    }

    @Test func undeclaredRelationsAreRefused() throws {
        #expect(throws: RepositoryError.self) { try Article.relations(for: [\Article.title]) }
        #expect(try Article.relations(for: [\Article.labels, \Article.writer]).count == 2)
    }

    @Test func manyToManyLoadsThroughOneJoinQuery() throws {
        let join = try #require(Article.relations[1].joinTable)
        let order: SQL = #" ORDER BY "name" ASC"#
        let sql = try join.select(Label.self, ownerKeys: [Int64(7), 7], order: order)
        #expect(squeezed(sql.text) == #"SELECT tusk_target.*, tusk_link."article_id" AS "tusk_owner_key" FROM "labels" AS tusk_target JOIN "article_labels" AS tusk_link ON tusk_link."label_id" = tusk_target."id" WHERE tusk_link."article_id" = ANY($1) ORDER BY "name" ASC"#)
        #expect(sql.bindings.count == 1, "the owners' keys travel as one array")
        #expect(sql.bindings.types == [.int8Array])
    }

    @Test func joinRowsOfAPendingInsertGoInItsOwnStatement() throws {
        let join = try #require(Article.relations[1].joinTable)
        let columns = try join.columns()
        let row = try EncodedRow(encoding: Article(id: nil, writerID: 2, title: "t"))
        var write = PendingWrite(kind: .insert, table: Article.tableSQL, entity: Article.entityName, fields: row.fields,
                                 key: [], serverGenerated: ["id"], complete: { _ in })
        write.linkedRows = [LinkedRows(table: join.table, ownerLink: columns.ownerLink, targetLink: columns.targetLink,
                                       ownerKey: columns.ownerKey,
                                       targetKeys: try join.targetKeyArray([Label(id: 3, name: "a"), Label(id: 4, name: "b")]))]
        let sql = FlushPlan.statement(for: write)
        #expect(squeezed(sql.text) == #"WITH tusk_row AS (INSERT INTO "blog"."articles" ("writer_id", "title") VALUES ($1, $2) RETURNING *), tusk_links_1 AS (INSERT INTO "article_labels" ("article_id", "label_id") SELECT tusk_row."id", tusk_target.tusk_key FROM tusk_row, unnest($3) AS tusk_target(tusk_key)) SELECT * FROM tusk_row"#)
        #expect(sql.bindings.types == [.int8, .text, .int8Array])
        // Two such inserts are never folded into one set-based batch: each needs its own key.
        let plan = FlushPlan.statements(for: [write, write])
        #expect(plan.map(\.shape) == [.single(0), .single(1)])
    }

    @Test func aTargetWithoutKeyCannotBeLinked() throws {
        let join = try #require(Article.relations[1].joinTable)
        #expect(throws: RepositoryError.self) { try join.targetKeyArray([Label(id: nil, name: "new")]) }
    }
}
