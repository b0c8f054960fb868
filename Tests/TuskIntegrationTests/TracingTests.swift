import InMemoryTracing
import Testing
import Tracing
import Tusk
import TuskTestSupport

/// Spans under the OpenTelemetry database conventions, captured with a task-local
/// `InMemoryTracer` (no global bootstrap, so parallel tests do not see each other's spans).
@Suite struct TracingTests {
    typealias Item = ItemsTable.Item

    /// An attribute's value as text: `"SELECT"`, `"3"`.
    private func attribute(_ span: FinishedInMemorySpan, _ key: String) -> String? {
        switch span.attributes[key]?.toSpanAttribute() {
        case .string(let value): value
        case .int64(let value): String(value)
        case .int32(let value): String(value)
        case .bool(let value): String(value)
        case .double(let value): String(value)
        case .stringConvertible(let value): value.description
        case nil: nil
        case let other?: "\(other)"
        }
    }

    @Test func aQuerySpanDescribesTheStatementWithoutItsValues() async throws {
        try await TestDatabase.withPool(max: 1) { pool, _ in
            try await ItemsTable.create(pool)
            let tracer = InMemoryTracer()
            let secret = "s3cr3t-value-\(Int.random(in: 1000...9999))"
            try await withTracer(tracer) {
                try await pool.withConnection { connection in
                    _ = try await connection.query("SELECT id FROM items WHERE name = \(secret)")
                }
            }
            let spans = tracer.finishedSpans
            let query = try #require(spans.first { $0.kind == .client && attribute($0, "db.operation.name") == "SELECT" })
            #expect(attribute(query, "db.system.name") == "postgresql")
            #expect(attribute(query, "db.query.text") == "SELECT id FROM items WHERE name = $1")
            #expect(attribute(query, "db.namespace") != nil)
            #expect(attribute(query, "server.address") != nil)
            #expect(attribute(query, "server.port") != nil)
            #expect(query.operationName.hasPrefix("SELECT"))
            // Never the bound value, in any span or attribute.
            for span in spans {
                #expect(!span.operationName.contains(secret))
                span.attributes.forEach { key, value in #expect(!"\(value)".contains(secret), "\(key)") }
            }
            // The acquire is a span of its own, and the query is not its child.
            let acquire = try #require(spans.first { $0.operationName == "acquire connection" })
            #expect(acquire.kind == .internal)
            #expect(query.parentSpanID != acquire.spanID)
        }
    }

    @Test func aFailedStatementCarriesItsSQLState() async throws {
        try await TestDatabase.withPool(max: 1) { pool, _ in
            let tracer = InMemoryTracer()
            _ = await withTracer(tracer) {
                await #expect(throws: PostgresError.self) {
                    try await pool.withConnection { connection in
                        _ = try await connection.query("SELECT * FROM no_such_table")
                    }
                }
            }
            let span = try #require(tracer.finishedSpans.first { $0.kind == .client })
            #expect(attribute(span, "db.response.status_code") == "42P01")
            #expect(attribute(span, "error.type") == "42P01")
            #expect(span.status?.code == .error)
            #expect(span.errors.count == 1)
        }
    }

    @Test func aPipelineIsOneBatchSpan() async throws {
        try await TestDatabase.withPool(max: 1) { pool, _ in
            let tracer = InMemoryTracer()
            try await withTracer(tracer) {
                try await pool.withConnection { connection in
                    _ = try await connection.pipeline(["SELECT \(1)", "SELECT \(2)", "SELECT \(3)"])
                }
            }
            let span = try #require(tracer.finishedSpans.first { $0.kind == .client })
            #expect(attribute(span, "db.operation.batch.size") == "3")
            #expect(attribute(span, "db.operation.name") == "BATCH SELECT")
            #expect(attribute(span, "db.query.text") == "SELECT $1;\nSELECT $1;\nSELECT $1")
        }
    }

    @Test func aCommitSpanHoldsTheFlushAndTheCommit() async throws {
        try await TestDatabase.withPool(max: 1) { pool, _ in
            try await ItemsTable.create(pool)
            let tracer = InMemoryTracer()
            _ = try await withTracer(tracer) {
                try await pool.withSession { session in
                    session.add(Item(id: nil, name: "traced", quantity: 1))
                }
            }
            let spans = tracer.finishedSpans
            let commit = try #require(spans.first { attribute($0, "db.operation.name") == "COMMIT" && $0.kind == .client
                                                        && $0.operationName.hasPrefix("COMMIT") && attribute($0, "db.query.text") == nil })
            let children = spans.filter { $0.parentSpanID == commit.spanID }
            // The flush's INSERT and the COMMIT's round trip ran inside the commit span.
            #expect(children.contains { attribute($0, "db.query.text")?.contains("INSERT") == true })
            #expect(children.contains { attribute($0, "db.query.text")?.contains("COMMIT") == true })
        }
    }

    @Test func copySpansNameTheirStatement() async throws {
        try await TestDatabase.withPool(max: 1) { pool, _ in
            try await ItemsTable.create(pool)
            let tracer = InMemoryTracer()
            _ = try await withTracer(tracer) {
                try await pool.withSession { session in
                    try await session.repository(Item.self).addMany([Item(id: nil, name: "a", quantity: 1), Item(id: nil, name: "b", quantity: 2)])
                }
            }
            #expect(tracer.finishedSpans.contains { attribute($0, "db.operation.name") == "COPY" })
        }
    }
}
