import Testing
@testable import Tusk

private struct NewMember: Encodable {
    var displayName: String
    var email: String
}

private struct MemberPatch: Encodable {
    var displayName: String?
    var email: String?
}

private struct ColumnNamed: Encodable {
    var email_address: String   // swiftlint:disable:this identifier_name
}

private struct Stray: Encodable {
    var displayName: String
    var password: String
}

private struct Twice: Encodable {
    var email: String
    var email_address: String   // swiftlint:disable:this identifier_name
}

private struct WithKey: Encodable {
    var id: Int64
    var displayName: String
}

/// How a RepositoryService maps a DTO to its model's columns, and the SQL it writes — without
/// a server.
@Suite struct ServiceDataTests {
    @Test func fieldsMapThroughTheModelsPropertiesAndCodingKeys() throws {
        let fields = try ServiceData.fields(of: NewMember(displayName: "Ada", email: "ada@example.com"), for: Member.self)
        #expect(fields.map(\.column) == ["display_name", "email_address"])
        #expect(try ServiceData.fields(of: ColumnNamed(email_address: "a@b"), for: Member.self).map(\.column) == ["email_address"])
    }

    @Test func aFieldThatIsNoColumnIsThrownBeforeAnything() {
        let error = #expect(throws: RepositoryError.self) {
            try ServiceData.fields(of: Stray(displayName: "Ada", password: "hunter2"), for: Member.self)
        }
        #expect(error?.code == .unknownColumn)
        #expect(error?.message.contains("Stray.password") == true)
        #expect(error?.message.contains("hunter2") == false, "values never appear in the error")
        let twice = #expect(throws: RepositoryError.self) {
            try ServiceData.fields(of: Twice(email: "a", email_address: "b"), for: Member.self)
        }
        #expect(twice?.code == .invalidArgument)
    }

    @Test func createInsertsOnlyTheDTOsColumns() throws {
        let fields = try ServiceData.fields(of: NewMember(displayName: "Ada", email: "ada@example.com"), for: Member.self)
        let sql = ServiceData.insert(fields, into: Member.self)
        #expect(sql.text == #"INSERT INTO "members" ("display_name", "email_address") VALUES ($1, $2) RETURNING *"#)
        #expect(sql.bindings.count == 2)
        #expect(!sql.text.contains("ada@"))
    }

    @Test func updateSetsOnlyThePatchsFields() throws {
        let key = try Member.keyFields(forID: 7)
        let patch = try ServiceData.fields(of: MemberPatch(displayName: "Ada L.", email: nil), for: Member.self)
        let sql = try #require(try ServiceData.update(patch, key: key, of: Member.self))
        #expect(sql.text == #"UPDATE "members" SET "display_name" = $1 WHERE "id" = $2 RETURNING *"#)
        #expect(try ServiceData.update(try ServiceData.fields(of: MemberPatch(), for: Member.self), key: key, of: Member.self) == nil)
    }

    @Test func anUpdateMayRepeatTheKeyButNotChangeIt() throws {
        let key = try Member.keyFields(forID: 7)
        let same = try ServiceData.fields(of: WithKey(id: 7, displayName: "Ada"), for: Member.self)
        #expect(try ServiceData.update(same, key: key, of: Member.self)?.text == #"UPDATE "members" SET "display_name" = $1 WHERE "id" = $2 RETURNING *"#)
        let other = try ServiceData.fields(of: WithKey(id: 8, displayName: "Ada"), for: Member.self)
        let error = #expect(throws: RepositoryError.self) { try ServiceData.update(other, key: key, of: Member.self) }
        #expect(error?.code == .invalidArgument)
    }
}
