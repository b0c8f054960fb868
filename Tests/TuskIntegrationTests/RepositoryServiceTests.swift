import Testing
import Tusk
import TuskTestSupport

private struct NewAuthor: Encodable {
    var name: String
    var email: String
}

private struct AuthorPatch: Encodable {
    var name: String?
    var active: Bool?
}

private struct WithPassword: Encodable {
    var name: String
    var email: String
    var password: String
}

private struct Failure: Error {}

@Suite struct RepositoryServiceTests {
    @Test func createAndUpdateFromDTOs() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let service = RepositoryService<Author>(pool: pool)
            let ada = try await service.create(NewAuthor(name: "Ada", email: "ada@example.com"))
            #expect(ada.active && ada.createdAt != nil, "columns the DTO leaves out get their defaults")
            let id = try #require(ada.id)
            // Another client changes a column the patch does not name: the update leaves it alone.
            try await pool.withConnection { try await $0.execute("UPDATE authors SET email = 'ada@lovelace.org'") }
            let renamed = try await service.update(id: id, with: AuthorPatch(name: "Ada Lovelace", active: nil))
            #expect(renamed.name == "Ada Lovelace" && renamed.email == "ada@lovelace.org" && renamed.active)
            let unchanged = try await service.update(id: id, with: AuthorPatch())
            #expect(unchanged == renamed)
            await #expect(throws: NotFoundError.self) { try await service.update(id: 999, with: AuthorPatch(name: "X")) }
            #expect(try await TestDatabase.count("authors", in: schema, where: "name = 'Ada Lovelace'") == 1)
        }
    }

    @Test func aFieldThatIsNoColumnIsThrownBeforeAnythingIsSent() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let service = RepositoryService<Author>(pool: pool)
            let error = await #expect(throws: RepositoryError.self) {
                try await service.create(WithPassword(name: "Ada", email: "ada@example.com", password: "secret"))
            }
            #expect(error?.code == .unknownColumn)
            try await service.transaction { authors in
                let before = await authors.session.statistics.statements
                await #expect(throws: RepositoryError.self) {
                    try await authors.update(id: 1, with: WithPassword(name: "Ada", email: "a@b", password: "secret"))
                }
                #expect(await authors.session.statistics.statements == before, "nothing was sent")
            }
            #expect(try await TestDatabase.count("authors", in: schema) == 0)
        }
    }

    @Test func upsertMatchesOnTheServicesFields() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let service = RepositoryService<Author>(pool: pool, matchFields: [\.email])
            let first = try await service.upsert(NewAuthor(name: "Ada", email: "ada@example.com"))
            let second = try await service.upsert(NewAuthor(name: "Ada L.", email: "ada@example.com"))
            #expect(second.id == first.id && second.name == "Ada L.")
            let missing = await #expect(throws: RepositoryError.self) { try await service.upsert(AuthorPatch(name: "X")) }
            #expect(missing?.code == .invalidArgument)
            let unmatched = await #expect(throws: RepositoryError.self) {
                try await RepositoryService<Author>(pool: pool).upsert(NewAuthor(name: "Ada", email: "ada@example.com"))
            }
            #expect(unmatched?.code == .invalidArgument)
            #expect(try await TestDatabase.count("authors", in: schema) == 1)
        }
    }

    @Test func passThroughs() async throws {
        try await UniqueSchema.withBlog { pool, _ in
            let service = RepositoryService<Author>(pool: pool)
            let ada = try await service.create(NewAuthor(name: "Ada", email: "ada@example.com"))
            _ = try await service.create(NewAuthor(name: "Grace", email: "grace@example.com"))
            let id = try #require(ada.id)
            #expect(try await service.get(id: id) == ada)
            #expect(try await service.getOne(where: \.email == "grace@example.com").name == "Grace")
            #expect(try await service.list(orderBy: [.asc(\.name)]).map(\.name) == ["Ada", "Grace"])
            let page = try await service.listAndCount(limit: 1)
            #expect(page.items.count == 1 && page.total == 2)
            #expect(try await service.count() == 2)
            #expect(try await service.exists(where: \.name == "Ada"))
            #expect(try await service.delete(id: id))
            #expect(try await service.count() == 1)
        }
    }

    /// The service owns the transaction: a failure in the second call of `transaction { }`
    /// leaves nothing of the first.
    @Test func aFailureInTheSecondCallLeavesNothingOfTheFirst() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let service = RepositoryService<Author>(pool: pool)
            await #expect(throws: PostgresError.self) {
                try await service.transaction { authors in
                    _ = try await authors.create(NewAuthor(name: "Ada", email: "ada@example.com"))
                    _ = try await authors.create(NewAuthor(name: "Ada twin", email: "ada@example.com"))   // unique violation
                }
            }
            await #expect(throws: Failure.self) {
                try await service.transaction { authors in
                    _ = try await authors.create(NewAuthor(name: "Ada", email: "ada@example.com"))
                    throw Failure()
                }
            }
            #expect(try await TestDatabase.count("authors", in: schema) == 0)
            try await service.transaction { authors in
                let ada = try await authors.create(NewAuthor(name: "Ada", email: "ada@example.com"))
                _ = try await authors.update(id: ada.id, with: AuthorPatch(name: "Ada Lovelace"))
                // Several services share one transaction through its session.
                _ = try await RepositoryService<Tag>(pool: pool).bound(to: authors.session).create(Tag(id: nil, name: "math"))
            }
            #expect(try await TestDatabase.count("authors", in: schema, where: "name = 'Ada Lovelace'") == 1)
            #expect(try await TestDatabase.count("tags", in: schema) == 1)
        }
    }
}
