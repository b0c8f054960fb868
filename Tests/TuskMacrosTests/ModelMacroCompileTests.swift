import Foundation
import Testing
import TuskModel

/// `@Model` structs the compiler expanded (`CompiledModels.swift`): what they report at run time.
/// No database: rows are never read, only the generated declarations and the row writer.
@Suite struct ModelMacroCompileTests {
    static let user = CompiledUser(
        id: 7, email: "a@example.com", name: "Ann", settings: CompiledUser.Settings(theme: "dark"), status: .active,
        createdAt: Date(timeIntervalSince1970: 0), author: Related(), note: "n"
    )

    @Test func userTableAndKeys() {
        #expect(CompiledUser.tableName == "users")
        #expect(CompiledUser.schemaName == "app")
        #expect(CompiledUser.primaryKey == ["id"])
        #expect(CompiledUser.serverGenerated == ["id", "created_at"])
        #expect(CompiledUser.ID.self == Int64?.self)
        #expect(Self.user.id == 7)
    }

    @Test func userColumnsAreTheStoredNonTransientNonRelationProperties() throws {
        let columns = try #require(CompiledUser.modelColumns)
        #expect(columns.map(\.name) == ["id", "email", "display_name", "settings", "status", "created_at", "note"])
        #expect(columns.map(\.property) == ["id", "email", "name", "settings", "status", "createdAt", "note"])
        let keyPaths: [PartialKeyPath<CompiledUser>] = [\.id, \.email, \.name, \.settings, \.status, \.createdAt, \.note]
        #expect(columns.map(\.keyPath) == keyPaths)
    }

    @Test func columnsKeyPathsAreThePropertiesKeyPaths() {
        #expect(CompiledUser.Columns.id == \CompiledUser.id)
        #expect(CompiledUser.Columns.email == \CompiledUser.email)
        #expect(CompiledUser.Columns.name == \CompiledUser.name)
        #expect(CompiledUser.Columns.settings == \CompiledUser.settings)
        #expect(CompiledUser.Columns.status == \CompiledUser.status)
        #expect(CompiledUser.Columns.createdAt == \CompiledUser.createdAt)
        #expect(CompiledKinds.Columns.meta == \CompiledKinds.meta)
        #expect(CompiledAccount.Columns.tenantID == \CompiledAccount.tenantID)
    }

    @Test func userIsWrittenThroughTheMatchingWriterMethods() throws {
        var writer = RecordingWriter()
        try Self.user.encodeModelRow(into: &writer)
        #expect(writer.calls == [
            "id: postgres", "email: postgres", "display_name: postgres", "settings: json", "status: codable",
            "created_at: postgres", "note: postgres",
        ])
    }

    @Test func userJSONKeepsThePropertyNames() throws {
        let data = try JSONEncoder().encode(Self.user)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["id", "email", "name", "settings", "status", "createdAt", "cache", "posts", "author", "note"])
        let decoded = try JSONDecoder().decode(CompiledUser.self, from: data)
        #expect(decoded.name == "Ann" && decoded.settings == CompiledUser.Settings(theme: "dark") && !decoded.posts.isLoaded)
    }

    @Test func compositeKey() throws {
        #expect(CompiledAccount.primaryKey == ["tenant_id", "number"])
        #expect(CompiledAccount.serverGenerated == [])
        #expect(CompiledAccount.schemaName == nil)
        let account = CompiledAccount(tenantID: 1, number: 2, email: "b@example.com")
        #expect(account.id == CompiledAccount.ID(tenantID: 1, number: 2))
        #expect(account.id.tenantID == 1 && account.id.number == 2)
        // The key encodes with its column names: the repository binds it by column.
        let key = try JSONSerialization.jsonObject(with: JSONEncoder().encode(account.id)) as? [String: Int64]
        #expect(key == ["tenant_id": 1, "number": 2])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(account)) as? [String: Any]
        #expect(json.map { Set($0.keys) } == ["tenantID", "number", "email"])
    }

    @Test func valueTypes() throws {
        let columns = try #require(CompiledKinds.modelColumns)
        #expect(columns.map(\.name) == ["id", "tags", "maybe_tags", "blob", "amount", "seen_at", "count", "active", "meta"])
        #expect(CompiledKinds.primaryKey == ["id"])
        let kinds = CompiledKinds(id: UUID(), tags: ["a"], maybeTags: nil, blob: Data([1]), amount: Decimal(string: "1.5") ?? 0,
                                  seenAt: nil, count: 3, active: true, meta: ["x": 1])
        var writer = RecordingWriter()
        try kinds.encodeModelRow(into: &writer)
        #expect(writer.calls == [
            "id: postgres", "tags: postgres", "maybe_tags: postgres", "blob: postgres", "amount: postgres",
            "seen_at: postgres", "count: postgres", "active: postgres", "meta: json",
        ])
    }

    @Test func customCodingKeysNameTheColumnsAndLeaveOthersOut() throws {
        let columns = try #require(CompiledPerson.modelColumns)
        #expect(columns.map(\.name) == ["id", "name"])
        #expect(columns.map(\.property) == ["id", "fullName"])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CompiledPerson(id: 1, fullName: "C"))) as? [String: Any]
        #expect(json.map { Set($0.keys) } == ["id", "name"])
    }

    @Test func typeSpellingsPrivatePropertiesAndADeclaredTable() throws {
        #expect(CompiledShapes.tableName == "shapes")
        #expect(CompiledShapes.primaryKey == ["id"])
        let columns = try #require(CompiledShapes.modelColumns)
        #expect(columns.map(\.name) == [
            "id", "legacy", "counts", "nested", "boxed", "matrix", "blob", "default", "flag", "a", "b", "observed", "secret",
        ])
        #expect(CompiledShapes.Columns.default == \CompiledShapes.default)
        var writer = RecordingWriter()
        try CompiledShapes(secret: "s").encodeModelRow(into: &writer)
        #expect(writer.calls == [
            "id: postgres", "legacy: postgres", "counts: codable", "nested: codable", "boxed: codable", "matrix: codable", "blob: json",
            "default: postgres", "flag: postgres", "a: postgres", "b: postgres", "observed: postgres", "secret: postgres",
        ])
    }

    @Test func nestedModel() throws {
        #expect(CompiledNamespace.Row.tableName == "rows")
        #expect(CompiledNamespace.Row.modelColumns?.map(\.keyPath) == [\CompiledNamespace.Row.id])
        #expect(CompiledNamespace.Row.Columns.id == \CompiledNamespace.Row.id)
    }

    @Test func genericModel() throws {
        typealias Row = CompiledGenericRow<[String]>
        #expect(Row.modelColumns?.map(\.name) == ["id", "payload"])
        #expect(Row.Columns.payload == \Row.payload)
        var writer = RecordingWriter()
        try Row(id: 1, payload: ["a"]).encodeModelRow(into: &writer)
        #expect(writer.calls == ["id: postgres", "payload: json"])
    }

    /// A model the generic Tusk API accepts: the generated conformance is a real `Model`.
    @Test func conformsToModel() {
        func table<M: Model>(_ type: M.Type) -> String { M.tableName }
        #expect(table(CompiledUser.self) == "users")
        #expect(table(CompiledAccount.self) == "accounts")
        #expect(table(CompiledPerson.self) == "people")
        #expect(table(CompiledShapes.self) == "shapes")
        #expect(table(CompiledNamespace.Row.self) == "rows")
    }
}
