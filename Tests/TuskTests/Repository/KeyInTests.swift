import Testing
@testable import Tusk

/// `getMany(ids:)` and `deleteMany(ids:)` name their rows by key: one array for a one-column key,
/// one array per column, matched as a row, for a composite key.
@Suite struct KeyInTests {
    struct Shard: Model {
        struct Key: Encodable, Sendable { var tenantID: Int64; var number: Int32 }
        static let tableName = "shards"
        static let primaryKey = ["tenant_id", "number"]
        var tenantID: Int64
        var number: Int32
        var id: Key { Key(tenantID: tenantID, number: number) }
    }

    struct Plain: Model {
        static let tableName = "plain"
        var id: Int64
    }

    @Test func aOneColumnKeyIsOneArray() throws {
        let sql = try Repository<Plain>.keyIn([1, 2])
        #expect(sql.text == "\"id\" = ANY($1)")
        #expect(sql.bindings.count == 1)
    }

    @Test func aCompositeKeyIsMatchedAsARowAgainstOneArrayPerColumn() throws {
        let sql = try Repository<Shard>.keyIn([.init(tenantID: 1, number: 7), .init(tenantID: 2, number: 8)])
        #expect(sql.text == "(\"tenant_id\", \"number\") IN (SELECT c1, c2 FROM unnest($1::int8[], $2::int4[]) AS tusk_keys(c1, c2))")
        #expect(sql.bindings.count == 2)
    }

    @Test func noCompositeKeysMatchNothing() throws {
        #expect(try Repository<Shard>.keyIn([]).text == "FALSE")
    }
}
