import Foundation
import Testing
import Tusk

/// A table keyed the way a distributed PostgreSQL (Citus) needs it — the distribution column
/// `tenant_id` in the primary key and in every unique constraint — through every repository
/// operation, so nothing in Tusk stands in the way of sharding by tenant.
@Suite struct CompositeKeyTests {
    struct Account: Model, Equatable {
        struct Key: Encodable, Sendable, Hashable { var tenantID: Int64; var number: Int64 }
        static let tableName = "accounts"
        static let primaryKey = ["tenant_id", "number"]
        static let serverGenerated: Set<String> = []
        var tenantID: Int64
        var number: Int64
        var email: String
        var balance: Int64
        var id: Key { Key(tenantID: tenantID, number: number) }
    }

    func withAccounts<T>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { connection in
                try await connection.execute("""
                    CREATE TABLE accounts (tenant_id bigint NOT NULL, number bigint NOT NULL, email text NOT NULL,
                        balance bigint NOT NULL, PRIMARY KEY (tenant_id, number), UNIQUE (tenant_id, email))
                    """)
            }
            return try await body(pool, schema)
        }
    }

    @Test func everyRepositoryOperationWorksWithTheDistributionColumnInTheKey() async throws {
        try await withAccounts { pool, schema in
            try await pool.withSession { session in
                let accounts = session.repository(Account.self)
                // The same number in two tenants: two rows.
                let a1 = try await accounts.add(Account(tenantID: 1, number: 1, email: "a@x", balance: 10))
                try await accounts.add(Account(tenantID: 2, number: 1, email: "a@x", balance: 20))
                try await accounts.addMany((2...5).map { Account(tenantID: 1, number: $0, email: "u\($0)@x", balance: 0) })
                #expect(try await accounts.get(id: Account.Key(tenantID: 2, number: 1))?.balance == 20)
                let many = try await accounts.getMany(ids: [Account.Key(tenantID: 1, number: 1), Account.Key(tenantID: 2, number: 1),
                                                            Account.Key(tenantID: 3, number: 1)])
                #expect(Set(many.map(\.id)) == [Account.Key(tenantID: 1, number: 1), Account.Key(tenantID: 2, number: 1)])
                #expect(try await accounts.getMany(ids: []).isEmpty)

                var changed = a1
                changed.balance = 11
                #expect(try await accounts.update(changed).balance == 11)
                try await accounts.update(id: Account.Key(tenantID: 1, number: 2), set: [.increment(\.balance, by: 5)])
                try await accounts.updateMany([Account(tenantID: 1, number: 3, email: "u3@x", balance: 33)], columns: [\Account.balance])
                try await accounts.upsert(Account(tenantID: 1, number: 9, email: "u4@x", balance: 44), matching: [\.tenantID, \.email])
                try await accounts.upsertMany([Account(tenantID: 2, number: 1, email: "a@x", balance: 21)], matching: [\.tenantID, \.number])
                let (existing, created) = try await accounts.getOrUpsert(Account(tenantID: 2, number: 7, email: "a@x", balance: 0),
                                                                         matching: [\.tenantID, \.email], update: .nothing)
                #expect(!created && existing.id == Account.Key(tenantID: 2, number: 1))

                // The unit of work: an update and a delete by composite key, flushed together.
                var pending = try #require(try await accounts.get(id: Account.Key(tenantID: 1, number: 5)))
                pending.balance = 55
                session.update(pending)
                session.delete(try #require(try await accounts.get(id: Account.Key(tenantID: 1, number: 2))))
                try await session.flush()

                let removed = try await accounts.deleteMany(ids: [Account.Key(tenantID: 1, number: 3), Account.Key(tenantID: 9, number: 9)],
                                                            returning: \.id)
                #expect(removed == [Account.Key(tenantID: 1, number: 3)])
                #expect(try await accounts.deleteMany(ids: [Account.Key(tenantID: 1, number: 5)]) == 1)
                #expect(try await accounts.delete(id: Account.Key(tenantID: 1, number: 1)))
            }
            let rows = try await pool.withConnection { connection in
                try await connection.query("SELECT tenant_id, number, balance FROM accounts ORDER BY tenant_id, number").map {
                    [try $0.decode(Int64.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(Int64.self, at: 2)]
                }
            }
            // Left: tenant 1's u4@x, which the upsert matched by (tenant_id, email) and overwrote,
            // every other column included (number 4 → 9, balance 44); and tenant 2's number 1,
            // upserted to 21. Everything else was deleted by composite key.
            #expect(rows == [[1, 9, 44], [2, 1, 21]])
            _ = schema
        }
    }
}
