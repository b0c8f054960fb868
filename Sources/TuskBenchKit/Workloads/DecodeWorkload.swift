import Foundation
import TuskModel

/// The cost of mapping rows to models: `list` of 1,000 rows × 20 columns into a Codable model and
/// into a `@Model` model, against a hand-written decode of the same rows from the raw connection.
struct DecodeWorkload: Workload {
    let name = "decode"
    let summary = "1,000 rows × 20 columns of bench_wide: repository list into a Codable and a @Model model vs hand-written decode"

    struct Wide: Model {
        static let tableName = "bench_wide"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var accountID: Int64
        var quantity: Int32
        var rank: Int32?
        var title: String
        var summary: String?
        var code: String
        var uid: UUID
        var parentUID: UUID?
        var createdAt: Date
        var updatedAt: Date?
        var price: Double
        var discount: Double?
        var amount: Decimal
        var tax: Decimal?
        var active: Bool
        var archived: Bool?
        var attributes: PostgresJSON<[String: String]>
        var tags: [String]
        var note: String?
    }

    /// `Wide` declared with `@Model`: read by position, no keyed container.
    @Model(table: "bench_wide")
    struct WideModel {
        @ID var id: Int64
        var accountID: Int64
        var quantity: Int32
        var rank: Int32?
        var title: String
        var summary: String?
        var code: String
        var uid: UUID
        var parentUID: UUID?
        var createdAt: Date
        var updatedAt: Date?
        var price: Double
        var discount: Double?
        var amount: Decimal
        var tax: Decimal?
        var active: Bool
        var archived: Bool?
        @JSON var attributes: [String: String]
        var tags: [String]
        var note: String?
    }

    static let createTable: SQL = """
        CREATE TABLE IF NOT EXISTS bench_wide (
            id bigint PRIMARY KEY, account_id bigint NOT NULL, quantity int NOT NULL, rank int, title text NOT NULL,
            summary text, code text NOT NULL, uid uuid NOT NULL, parent_uid uuid, created_at timestamptz NOT NULL,
            updated_at timestamptz, price double precision NOT NULL, discount double precision, amount numeric NOT NULL,
            tax numeric, active boolean NOT NULL, archived boolean, attributes jsonb NOT NULL, tags text[] NOT NULL, note text)
        """

    func run(_ context: BenchContext) async throws -> [BenchResult] {
        let repeats = max(20, context.rows(default: 1_000) / 5)
        try await context.withConnection { connection in
            try await connection.execute(Self.createTable)
            try await connection.execute("TRUNCATE bench_wide")
            try await connection.execute("""
                INSERT INTO bench_wide SELECT g, g * 7, g % 100, CASE WHEN g % 3 = 0 THEN NULL ELSE g END, 'title ' || g,
                  CASE WHEN g % 2 = 0 THEN 'summary of ' || g END, 'C' || g, gen_random_uuid(),
                  CASE WHEN g % 4 = 0 THEN gen_random_uuid() END, now() - g * interval '1 minute',
                  CASE WHEN g % 5 = 0 THEN now() END, g * 1.25, CASE WHEN g % 2 = 1 THEN 0.1 END, (g * 3.14159)::numeric(12,5),
                  CASE WHEN g % 2 = 0 THEN 0.19 END, g % 2 = 0, CASE WHEN g % 7 = 0 THEN true END,
                  jsonb_build_object('k', g::text, 'color', 'blue'), ARRAY['a' || g, 'b'], CASE WHEN g % 9 = 0 THEN 'note' END
                FROM generate_series(1, 1000) g
                """)
        }
        return try await context.withPool(connections: 1) { pool in
            var results: [BenchResult] = []
            for round in 0..<3 {
                context.progress("decode: repository.list ×\(repeats) (round \(round + 1))")
                let list = try await measure {
                    try await pool.withSession { session in
                        let wide = session.repository(Wide.self)
                        for _ in 0..<repeats {
                            let rows = try await wide.list(limit: .unbounded)
                            precondition(rows.count == 1_000)
                        }
                    }
                }
                results.keepBest(.rows(name, "tusk.repository.list", rows: repeats * 1_000, seconds: list))

                context.progress("decode: repository.list of the @Model model ×\(repeats)")
                let listModel = try await measure {
                    try await pool.withSession { session in
                        let wide = session.repository(WideModel.self)
                        for _ in 0..<repeats {
                            let rows = try await wide.list(limit: .unbounded)
                            precondition(rows.count == 1_000)
                        }
                    }
                }
                results.keepBest(.rows(name, "tusk.repository.list.model", rows: repeats * 1_000, seconds: listModel))

                context.progress("decode: raw decode ×\(repeats)")
                let raw = try await measure {
                    try await pool.withConnection { connection in
                        for _ in 0..<repeats {
                            let result = try await connection.query("SELECT * FROM bench_wide")
                            var rows: [Wide] = []
                            rows.reserveCapacity(result.count)
                            for row in result { rows.append(try Self.decodeByHand(row)) }
                            precondition(rows.count == 1_000)
                        }
                    }
                }
                results.keepBest(.rows(name, "tusk.raw.decode", rows: repeats * 1_000, seconds: raw))
            }
            results.compare(["tusk.repository.list": "tusk.raw.decode", "tusk.repository.list.model": "tusk.raw.decode"])
            return results
        }
    }

    static func decodeByHand(_ row: Row) throws -> Wide {
        Wide(id: try row.decode(Int64.self, at: 0), accountID: try row.decode(Int64.self, at: 1),
             quantity: try row.decode(Int32.self, at: 2), rank: try row.decode(Int32?.self, at: 3),
             title: try row.decode(String.self, at: 4), summary: try row.decode(String?.self, at: 5),
             code: try row.decode(String.self, at: 6), uid: try row.decode(UUID.self, at: 7),
             parentUID: try row.decode(UUID?.self, at: 8), createdAt: try row.decode(Date.self, at: 9),
             updatedAt: try row.decode(Date?.self, at: 10), price: try row.decode(Double.self, at: 11),
             discount: try row.decode(Double?.self, at: 12), amount: try row.decode(Decimal.self, at: 13),
             tax: try row.decode(Decimal?.self, at: 14), active: try row.decode(Bool.self, at: 15),
             archived: try row.decode(Bool?.self, at: 16), attributes: try row.decode(PostgresJSON<[String: String]>.self, at: 17),
             tags: try row.decode([String].self, at: 18), note: try row.decode(String?.self, at: 19))
    }
}
