import Foundation
import Testing
@testable import Tusk

/// The SQL the write paths render for assignments, upserts, audit and version columns: no
/// database, only the text and the bound values.
@Suite struct WriteExpressionTests {
    struct Counter: Model {
        static let tableName = "counters"
        var id: Int64?
        var name: String
        var hits: Int32
        var touchedAt: Date?
    }

    struct Article: Model, Auditable, Versioned {
        static let tableName = "articles"
        static let schemaName: String? = "blog"
        var id: Int64?
        var slug: String
        var title: String
        var views: Int32 = 0
        var createdAt: Date?
        var updatedAt: Date?
        var version: Int64 = 1
    }

    /// The big-endian bytes of a bound value, as the server receives them.
    func bound(_ sql: SQL) -> [[UInt8]?] { sql.bindings.fields.map(\.bytes) }

    // MARK: - Assignment expressions

    @Test func setBindsTheValue() throws {
        let sql = try Assignment<Counter>.build([.set(\.name, "hits")])
        #expect(sql.text == #""name" = $1"#)
        #expect(sql.bindings.types == [.text])
        #expect(bound(sql) == [Array("hits".utf8)])
    }

    @Test func nowIsTheServersClock() throws {
        let sql = try Assignment<Counter>.build([.now(\.touchedAt)])
        #expect(sql.text == #""touched_at" = now()"#)
        #expect(sql.bindings.count == 0)
    }

    @Test func incrementAddsABoundAmountToTheColumn() throws {
        let sql = try Assignment<Counter>.build([.increment(\.hits, by: 3), .set(\.name, "x")])
        #expect(sql.text == #""hits" = "hits" + $1, "name" = $2"#)
        #expect(sql.bindings.types == [.int4, .text])
        #expect(bound(sql).first == [0, 0, 0, 3])
    }

    @Test func unsafeSQLKeepsItsValuesBoundAndChecksTheColumn() throws {
        let factor: Int32 = 2
        let sql = try Assignment<Counter>.build([.unsafeSQL("hits", "hits * \(factor)")])
        #expect(sql.text == #""hits" = hits * $1"#)
        #expect(throws: RepositoryError.self) { try Assignment<Counter>.build([.unsafeSQL("hits; DROP TABLE x", "1")]) }
    }

    @Test func excludedOutsideAnUpsertIsRefused() {
        #expect { try Assignment<Counter>.build([.excluded(\.name)]) } throws: { error in
            (error as? RepositoryError)?.code == .invalidArgument && "\(error)".contains("EXCLUDED")
        }
    }

    @Test func aColumnAssignedTwiceIsRefused() {
        #expect { try Assignment<Counter>.build([.set(\.hits, 1), .increment(\.hits, by: 1)]) } throws: { error in
            (error as? RepositoryError)?.code == .invalidArgument
        }
    }

    @Test func aKeyPathThatIsNoColumnIsRefused() {
        struct Wrapper: Model {
            static let tableName = "w"
            var id: Int64?
            var name: String
            var shout: String { name.uppercased() }
        }
        #expect { try Assignment<Wrapper>.build([.set(\.shout, "X")]) } throws: { error in
            (error as? RepositoryError)?.code == .unknownColumn
        }
    }

    // MARK: - Audit and version columns

    @Test func updatesOfAnAuditedVersionedModelStampAndIncrement() throws {
        let sql = try Assignment<Article>.build([.set(\.title, "New")])
        #expect(sql.text == #""title" = $1, "updated_at" = now(), "version" = "version" + 1"#)
    }

    @Test func anExplicitAssignmentReplacesTusksOwn() throws {
        let when = Date(timeIntervalSince1970: 0)
        let sql = try Assignment<Article>.build([.set(\.updatedAt, when)])
        #expect(sql.text == #""updated_at" = $1, "version" = "version" + 1"#)
    }

    @Test func insertsSetNilAuditColumnsToNow() throws {
        let row = try EncodedRow(encoding: Article(id: nil, slug: "a", title: "A"))
        let write = PendingWrite(kind: .insert, table: Article.tableSQL, entity: Article.entityName, fields: row.fields, key: [],
                                 serverGenerated: Article.serverGenerated, managed: .of(Article.self), complete: { _ in })
        let sql = FlushPlan.statement(for: write)
        #expect(sql.text == #"INSERT INTO "blog"."articles" ("slug", "title", "views", "version", "created_at", "updated_at") VALUES ($1, $2, $3, $4, now(), now()) RETURNING *"#)
        let dated = try EncodedRow(encoding: Article(id: nil, slug: "a", title: "A", createdAt: Date(timeIntervalSince1970: 0)))
        let kept = PendingWrite(kind: .insert, table: Article.tableSQL, entity: Article.entityName, fields: dated.fields, key: [],
                                serverGenerated: Article.serverGenerated, managed: .of(Article.self), complete: { _ in })
        #expect(FlushPlan.statement(for: kept).text.contains(#"("slug", "title", "views", "created_at", "version", "updated_at") VALUES ($1, $2, $3, $4, $5, now())"#),
                "a timestamp the model sets is kept")
    }

    func versionedUpdate(_ article: Article) throws -> PendingWrite {
        let row = try EncodedRow(encoding: article)
        let managed = ManagedColumns.of(Article.self)
        return PendingWrite(kind: .update, table: Article.tableSQL, entity: Article.entityName,
                            fields: row.fields.filter { $0.column == "title" },
                            key: try Article.keyFields(of: row) + managed.lockFields(of: row),
                            serverGenerated: [], managed: managed, complete: { _ in })
    }

    @Test func aFlushedUpdateChecksTheVersionItRead() throws {
        let sql = FlushPlan.statement(for: try versionedUpdate(Article(id: 7, slug: "a", title: "B", version: 3)))
        #expect(sql.text == #"UPDATE "blog"."articles" SET "title" = $1, "updated_at" = now(), "version" = "version" + 1 WHERE "id" = $2 AND "version" = $3 RETURNING *"#)
        #expect(bound(sql).last == [0, 0, 0, 0, 0, 0, 0, 3])
    }

    @Test func aBatchedFlushChecksEveryRowsVersion() throws {
        let writes = try (1...2).map { try versionedUpdate(Article(id: Int64($0), slug: "s\($0)", title: "T", version: 5)) }
        let plan = FlushPlan.statements(for: writes)
        #expect(plan.map(\.shape) == [.updates([0, 1])])
        let text = plan[0].sql.text
        #expect(text.contains(#"SET "title" = s.c3, "updated_at" = now(), "version" = tusk_target."version" + 1"#))
        #expect(text.contains(#"WHERE tusk_target."id" = s.c1 AND tusk_target."version" = s.c2"#))
    }

    struct Note: Model, SoftDeletable, Auditable {
        static let tableName = "notes"
        var id: Int64?
        var deletedAt: Date?
        var createdAt: Date?
        var updatedAt: Date?
    }

    @Test func plainModelsGetNoManagedColumns() {
        #expect(ManagedColumns.of(Counter.self) == .none)
        #expect(ManagedColumns.of(Note.self).all == ["created_at", "updated_at"])
        #expect(ManagedColumns.of(Note.self).updateAssignments(qualifier: "t", skipping: []).map(\.text) == [#""updated_at" = now()"#])
    }

    // MARK: - Upsert

    @Test func upsertColumnsPlusAssignments() throws {
        let plan = try Repository<Counter>.UpsertPlan(matching: [\Counter.name],
                                                      update: .columns([\Counter.name, \Counter.hits]) + [.increment(\.hits, by: 1), .now(\.touchedAt)],
                                                      condition: nil)
        let items = SQL.join(plan.setItems(inserted: ["name", "hits", "touched_at"]), separator: ", ")
        #expect(items.text == #""name" = EXCLUDED."name", "hits" = "counters"."hits" + $1, "touched_at" = now()"#)
        #expect(items.bindings.types == [.int4])
    }

    @Test func upsertAllColumnsOfAnAuditedModelKeepsCreatedAtAndStamps() throws {
        let plan = try Repository<Article>.UpsertPlan(matching: [\Article.slug], update: .allColumns, condition: nil)
        let items = SQL.join(plan.setItems(inserted: ["slug", "title", "views", "version", "created_at", "updated_at"]), separator: ", ")
        #expect(items.text == #""title" = EXCLUDED."title", "views" = EXCLUDED."views", "updated_at" = now(), "version" = "blog"."articles"."version" + 1"#)
    }

    @Test func upsertAssignmentsOnlyAndExcluded() throws {
        let plan = try Repository<Article>.UpsertPlan(matching: [\Article.slug], update: .assignments([.excluded(\.title)]), condition: nil)
        #expect(SQL.join(plan.setItems(inserted: ["slug", "title"]), separator: ", ").text
                == #""title" = EXCLUDED."title", "updated_at" = now(), "version" = "blog"."articles"."version" + 1"#)
    }

    @Test func upsertThatDoesNothingCannotAssign() {
        #expect {
            try Repository<Counter>.UpsertPlan(matching: [\Counter.name], update: .nothing + [.now(\.touchedAt)], condition: nil)
        } throws: { ($0 as? RepositoryError)?.code == .invalidArgument }
        #expect {
            try Repository<Counter>.UpsertPlan(matching: [\Counter.name], update: .assignments([.unsafeSQL("nope", "1")]), condition: nil)
        } throws: { ($0 as? RepositoryError)?.code == .unknownColumn }
    }

    @Test func aStaleUpdateNamesTheEntityAndID() {
        let error = ManagedColumns.of(Article.self).missedUpdate(of: Article(id: 42, slug: "a", title: "A"), whereKey: [])
        #expect((error as? StaleDataError)?.id == "42")
        #expect("\(error)" == "blog.articles 42 was changed or deleted since it was read: nothing was written")
        #expect(ManagedColumns.of(Counter.self).missedUpdate(of: Counter(id: 1, name: "n", hits: 0), whereKey: []) is NotFoundError)
    }
}
