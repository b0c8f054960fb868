import Testing
import Tusk
import TuskTestSupport

/// The bulk and streaming calls of `pool.autocommit.repository(M.self)`: each commits on its
/// own, all or nothing, and a stream's lease ends with its body.
@Suite struct AutocommitSurfaceTests {
    private func authors(_ range: ClosedRange<Int>) -> [Author] {
        range.map { Author(id: nil, name: "A\($0)", email: "a\($0)@x.org") }
    }

    @Test func bulkWritesCommitEachOnItsOwn() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let repository = pool.autocommit.repository(Author.self)
            #expect(try await repository.addMany(authors(1...100)) == 100)
            #expect(try await TestDatabase.count("authors", in: schema) == 100, "seen by another connection: committed")
            #expect(try await repository.addMany(AsyncRows(rows: authors(101...110))) == 10)
            let ids = try await repository.addMany(authors(111...115), returning: \.id)
            #expect(ids.count == 5 && ids.allSatisfy { $0 != nil })
            let upserted = try await repository.upsert(Author(id: nil, name: "Renamed", email: "a1@x.org"), matching: [\.email])
            #expect(upserted?.name == "Renamed")
            let feed = [Author(id: nil, name: "R2", email: "a2@x.org"), Author(id: nil, name: "New", email: "new@x.org")]
            #expect(try await repository.upsertMany(feed, matching: [\.email]) == 2)
            var stored = try await repository.list(where: .in(\.email, ["a3@x.org", "a4@x.org"]), orderBy: [.asc(\.id)])
            for index in stored.indices { stored[index].active = false }
            #expect(try await repository.updateMany(stored, columns: [\Author.active]) == 2)
            #expect(try await TestDatabase.count("authors", in: schema) == 116)
            #expect(try await TestDatabase.count("authors", in: schema, where: "NOT active") == 2)
            #expect(try await TestDatabase.count("authors", in: schema, where: "name IN ('Renamed', 'R2', 'New')") == 3)
        }
    }

    @Test func aFailingBulkWriteLeavesNothing() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let repository = pool.autocommit.repository(Author.self)
            let duplicate = authors(1...50) + [Author(id: nil, name: "Again", email: "a7@x.org")]
            await #expect(throws: PostgresError.self) { try await repository.addMany(duplicate) }
            await #expect(throws: PostgresError.self) { try await repository.addMany(duplicate, returning: \.id, chunkSize: 10) }
            let left = try await TestDatabase.count("authors", in: schema)
            #expect(left == 0)
        }
    }

    @Test func streamReadsEveryRowInBatches() async throws {
        try await UniqueSchema.withBlog { pool, _ in
            let repository = pool.autocommit.repository(Author.self)
            try await repository.addMany(authors(1...250))
            let names = try await repository.stream(orderBy: [.asc(\.id)], batchSize: 16) { rows in
                var names: [String] = []
                for try await author in rows { names.append(author.name) }
                return names
            }
            #expect(names == (1...250).map { "A\($0)" })
        }
    }

    /// A consumer that stops early — by breaking, by throwing, or cancelled — leaves no lease
    /// behind: the pool is back at full strength, and each connection is usable.
    @Test func aStreamsLeaseEndsWithItsBodyHoweverItEnds() async throws {
        try await UniqueSchema.withBlog(max: 2, min: 2) { pool, _ in
            let repository = pool.autocommit.repository(Author.self)
            try await repository.addMany(authors(1...500))
            try await waitUntil { pool.statistics.idle == 2 }

            let firstThree = try await repository.stream(orderBy: [.asc(\.id)], batchSize: 10) { rows in
                var names: [String] = []
                for try await author in rows {
                    names.append(author.name)
                    if names.count == 3 { break }
                }
                return names
            }
            #expect(firstThree == ["A1", "A2", "A3"])
            try await waitUntil { pool.statistics.idle == 2 }

            struct Stop: Error {}
            await #expect(throws: Stop.self) {
                try await repository.stream(batchSize: 10) { rows in
                    for try await _ in rows { throw Stop() }
                }
            }
            try await waitUntil { pool.statistics.idle == 2 }

            let reading = Locked(false)
            let task = Task {
                try await repository.stream(batchSize: 10) { rows in
                    for try await _ in rows {
                        reading.withLock { $0 = true }
                        // Nothing is ever yielded: the wait ends when the task is cancelled.
                        let (never, continuation) = AsyncStream<Void>.makeStream()
                        for await _ in never {}
                        continuation.finish()
                        try Task.checkCancellation()
                    }
                }
            }
            try await waitUntil { reading.value }
            #expect(pool.statistics.inUse == 1, "the stream holds its lease while it is read")
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            try await waitUntil { pool.statistics.idle == 2 }
            #expect(pool.statistics.inUse == 0)
            for _ in 0..<2 {
                #expect(try await repository.count() == 500, "the connections came back usable")
            }
        }
    }
}

extension AutocommitSurfaceTests {
    @Test func keysetPagesAndSoftDeletes() async throws {
        try await UniqueSchema.withBlog { pool, schema in
            let authors = pool.autocommit.repository(Author.self)
            try await authors.addMany(self.authors(1...5))
            let first = try await authors.list(orderBy: [.asc(\.id)], limit: 2)
            let last = try #require(first.last)
            let next = try await authors.list(orderBy: [.asc(\.id)], after: last, limit: 2)
            #expect(next.map(\.name) == ["A3", "A4"])

            let ada = try await pool.autocommit.repository(Author.self).add(Author(id: nil, name: "Ada", email: "ada@x.org"))
            let posts = pool.autocommit.repository(Post.self)
            let post = try await posts.add(Post(id: nil, authorID: ada.id ?? 0, title: "T", body: "B"))
            #expect(try await posts.delete(id: post.id))
            #expect(try await posts.get(id: post.id) == nil)
            #expect(try await posts.restore(id: post.id)?.deletedAt == nil)
            #expect(try await posts.hardDelete(id: post.id))
            #expect(try await TestDatabase.count("posts", in: schema) == 0)
        }
    }
}
