import Testing
@testable import Tusk

@Suite struct ColumnTypeCacheTests {
    let columns = ["id": column("id", .int8)]

    @Test func remembersAndForgetsTables() {
        var cache = ColumnTypeCache()
        #expect(cache.columns(of: #""users""#) == nil)
        cache.store(columns, for: #""users""#)
        cache.store(columns, for: #""app"."users""#)
        #expect(cache.columns(of: #""users""#) == columns)
        cache.remove(#""users""#)
        #expect(cache.columns(of: #""users""#) == nil)
        #expect(cache.columns(of: #""app"."users""#) == columns, "tables are kept apart by their SQL name")
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func staysBounded() {
        var cache = ColumnTypeCache()
        for table in 0..<(ColumnTypeCache.capacity + 10) { cache.store(columns, for: "t\(table)") }
        #expect(cache.count <= ColumnTypeCache.capacity)
        #expect(cache.columns(of: "t\(ColumnTypeCache.capacity + 9)") == columns, "the newest table is kept")
    }

    @Test func theCatalogQueryBindsTheTableNames() {
        let sql = Connection.columnTypesQuery(tables: [#""users""#])
        #expect(sql.bindings.types == [.textArray])
        #expect(sql.text.contains("to_regclass"))
        #expect(sql.text.contains("typbasetype"))
    }
}
