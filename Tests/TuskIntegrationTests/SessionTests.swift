import Foundation
import Testing
import Tusk
import TuskTestSupport

@Suite struct SessionTests {
    typealias Item = ItemsTable.Item

    func createItems(_ pool: ConnectionPool) async throws {
        try await ItemsTable.create(pool)
    }

    @Test func commitsWhenTheClosureReturns() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            try await pool.withSession { session in
                try await session.execute("INSERT INTO items (name) VALUES (\("a")), (\("b"))")
                #expect(try await TestDatabase.count("items", in: schema) == 0, "not visible before commit")
            }
            #expect(try await TestDatabase.count("items", in: schema) == 2)
        }
    }

    @Test func rollsBackWhenTheClosureThrows() async throws {
        struct Abort: Error {}
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            await #expect(throws: Abort.self) {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO items (name) VALUES (\("a"))")
                    throw Abort()
                }
            }
            #expect(try await TestDatabase.count("items", in: schema) == 0)
        }
    }

    @Test func rollsBackWhenTheTaskIsCancelled() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let inserted = Locked(false)
            let task = Task {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO items (name) VALUES (\("a"))")
                    inserted.withLock { $0 = true }
                    try await session.execute("SELECT pg_sleep(30)")
                }
            }
            // Wherever the cancel lands — between the statements or during the sleep — the
            // insert must not survive.
            try await waitUntil { inserted.value }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await TestDatabase.count("items", in: schema) == 0)
            #expect(pool.statistics.inUse == 0)
        }
    }

    @Test func anUnencodableValueInTheFirstStatementIsAnEncodingErrorAndLeavesTheSessionUsable() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                let before = await session.statistics
                await #expect(throws: PostgresEncodingError.self) { try await session.execute("SELECT \("nul\u{0}")") }
                #expect(await session.statistics == before, "nothing was sent")
                let one = try await session.scalar("SELECT 1", as: Int32.self)
                #expect(one == 1)
            }
        }
    }

    @Test func usingAnEndedSessionIsAClearError() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                try await session.commit()
                let error = await #expect(throws: SessionError.self) { try await session.execute("SELECT 1") }
                #expect(error?.code == .ended)
            }
        }
    }

    @Test func failedStatementFailsTheTransaction() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO items (name) VALUES (\("a"))")
                    _ = try? await session.execute("INSERT INTO items (name) VALUES (\("a"))")  // duplicate, swallowed
                    try await session.execute("INSERT INTO items (name) VALUES (\("b"))")
                }
            }
            #expect(error?.code == .transactionFailed)
            #expect(try await TestDatabase.count("items", in: schema) == 0)
        }
    }

    @Test func commitThatFailsEndsTheTransactionWithoutAnExtraRollback() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { connection in
                try await connection.execute("CREATE TABLE deferred (id int, CONSTRAINT once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)")
            }
            let sentAfterCommit = Locked(-1)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    try await session.execute("INSERT INTO deferred VALUES (1)")
                    try await session.execute("INSERT INTO deferred VALUES (1)")  // checked at COMMIT
                    let before = await session.statistics.statements
                    do {
                        try await session.commit()
                    } catch {
                        await session.rollback()
                        sentAfterCommit.withLock { $0 = 0 }
                        let after = await session.statistics.statements
                        sentAfterCommit.withLock { $0 = after - before }
                        #expect(!session.isActive)
                        throw error
                    }
                }
            }
            #expect(error?.code == .commitFailed, "a refused COMMIT is told apart from a failed statement")
            #expect(error?.serverError?.sqlState == .uniqueViolation)
            #expect(error?.serverError?.constraint == "once")
            #expect(sentAfterCommit.value == 2, "only the commit's own two statements (its transaction id, COMMIT): the failed COMMIT already ended the transaction, no ROLLBACK")
            #expect(try await TestDatabase.count("deferred", in: schema) == 0)
        }
    }

    @Test func savepointRollbackKeepsTheOuterWorkThreeLevelsDeep() async throws {
        struct Inner: Error {}
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            try await pool.withSession { session in
                try await session.execute("INSERT INTO items (name) VALUES (\("outer"))")
                try await session.withSavepoint {
                    try await session.execute("INSERT INTO items (name) VALUES (\("level1"))")
                    try await session.withSavepoint {
                        try await session.execute("INSERT INTO items (name) VALUES (\("level2"))")
                        await #expect(throws: Inner.self) {
                            try await session.withSavepoint {
                                try await session.execute("INSERT INTO items (name) VALUES (\("level3"))")
                                throw Inner()
                            }
                        }
                        // A server error inside a savepoint rolls back to it, and the work goes on.
                        await #expect(throws: PostgresError.self) {
                            try await session.withSavepoint {
                                try await session.execute("INSERT INTO items (name) VALUES (\("outer"))")
                            }
                        }
                    }
                }
                try await session.execute("INSERT INTO items (name) VALUES (\("after"))")
            }
            let names = try await pool.withConnection { connection in
                try await connection.query("SELECT name FROM items ORDER BY id").map { try $0.decode(String.self, at: 0) }
            }
            #expect(names == ["outer", "level1", "level2", "after"])
            _ = schema
        }
    }

    @Test func flushOfAThousandMixedWritesIsOneRoundTrip() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            try await pool.withConnection { connection in
                try await connection.execute("INSERT INTO items (name, quantity) SELECT 'old' || g, 1 FROM generate_series(1, 500) g")
            }
            let stored = try await pool.withSession { session in
                let existing = try await session.query("SELECT * FROM items ORDER BY id", as: Item.self)
                // Batches are sent in their columns' own types, read once per connection and table:
                // an unchanged row written back reads them here, so the flush below is the flush alone.
                try await session.repository(Item.self).updateMany(Array(existing.prefix(1)))
                var pending: [PendingInsert<Item>] = []
                for index in 0..<500 { pending.append(session.add(Item(id: nil, name: "new\(index)", quantity: Int32(index)))) }
                for item in existing.prefix(250) {
                    var changed = item
                    changed.quantity = 999
                    session.update(changed)
                }
                for item in existing.suffix(250) { session.delete(item) }
                let before = await session.statistics
                try await session.flush()
                let after = await session.statistics
                #expect(after.roundTrips - before.roundTrips == 1, "one pipelined round trip for 1,000 writes")
                // Set-based: one INSERT, one UPDATE, one DELETE, inside a savepoint.
                #expect(after.statements - before.statements == 5)
                return try pending.map { try $0.get() }
            }
            #expect(stored.count == 500)
            #expect(stored.allSatisfy { ($0.id ?? 0) > 500 }, "generated ids read back")
            #expect(stored.map(\.name) == (0..<500).map { "new\($0)" }, "in the order added")
            #expect(try await TestDatabase.count("items", in: schema) == 750)
            #expect(try await TestDatabase.count("items", in: schema, where: "quantity = 999") == 250)
            #expect(try await TestDatabase.count("items", in: schema, where: "name LIKE 'new%'") == 500)
        }
    }

    @Test func failedFlushNamesTheChange() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let error = await #expect(throws: SessionError.self) {
                try await pool.withSession { session in
                    session.add(Item(id: nil, name: "a", quantity: 1))
                    session.add(Item(id: nil, name: "b", quantity: -1))  // check violation
                    session.add(Item(id: nil, name: "c", quantity: 1))
                    try await session.flush()
                }
            }
            #expect(error?.code == .flushFailed)
            #expect(error?.changeIndex == 1)
            #expect(error?.change == "insert into items")
            #expect(error?.serverError?.sqlState == .checkViolation)
            #expect(try await TestDatabase.count("items", in: schema) == 0)
        }
    }

    @Test func commitFlushesPendingWrites() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let roundTrips = try await pool.withSession { session in
                let before = await session.statistics.roundTrips
                session.add(Item(id: nil, name: "x", quantity: 1))
                try await session.commit()
                return await session.statistics.roundTrips - before
            }
            #expect(roundTrips == 2, "BEGIN and the insert in one round trip, then COMMIT once the insert is known to have worked")
            #expect(try await TestDatabase.count("items", in: schema) == 1)
        }
    }

    @Test func identityMapAndDirtyTracking() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await createItems(pool)
            let id = try await pool.withSession { session in
                try await session.repository(Item.self).add(Item(id: nil, name: "widget", quantity: 5)).id
            }
            let itemID = try #require(id)
            try await pool.withSession { session in
                let items = session.repository(Item.self)
                let first = try #require(try await items.get(id: itemID))
                let statements = await session.statistics.statements
                let second = try await items.get(id: itemID)
                #expect(await session.statistics.statements == statements, "the second get issues no query")
                #expect(second?.name == first.name)

                _ = try await items.update(first)
                #expect(await session.statistics.statements == statements, "an unchanged model issues no UPDATE")

                // Another client changes a column we do not touch; our update must not overwrite it.
                let other = try await TestDatabase.connect(schema: schema)
                try await other.execute("UPDATE items SET name = \("renamed elsewhere") WHERE id = \(itemID)")
                await other.close()
                var changed = first
                changed.quantity = 6
                let updated = try await items.update(changed)
                #expect(updated.quantity == 6)
                #expect(updated.name == "renamed elsewhere", "only the changed column was sent")
                #expect(try await items.get(id: itemID)?.quantity == 6, "the identity map holds the updated row")
                #expect(try await items.get(id: itemID, refresh: true)?.name == "renamed elsewhere")
            }
        }
    }

    @Test func serializableConflictRetriedUntilBothCommit() async throws {
        try await TestDatabase.withPool(max: 4) { pool, schema in
            try await pool.withConnection { connection in
                try await connection.execute("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL)")
                try await connection.execute("INSERT INTO doctors VALUES ('alice', true), ('bob', true)")
            }
            // Write skew: each takes itself off call if someone else is on call. Serially, one of
            // them stays on call; both succeed only by retrying after the conflict.
            let barrier = Barrier(parties: 2)
            let attempts = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in ["alice", "bob"] {
                    group.addTask {
                        var first = true
                        try await pool.withTransaction(isolation: .serializable) { session in
                            attempts.withLock { $0 += 1 }
                            let others = try await session.scalar("SELECT count(*) FROM doctors WHERE on_call AND name <> \(name)", as: Int.self)
                            if first { first = false; await barrier.arrive() }
                            if others > 0 {
                                try await session.execute("UPDATE doctors SET on_call = false WHERE name = \(name)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await TestDatabase.count("doctors", in: schema, where: "on_call") == 1, "the result of some serial order")
            #expect(attempts.value >= 3, "at least one attempt was retried")
        }
    }

    @Test func serializableConflictWithoutRetryIsTyped() async throws {
        try await TestDatabase.withPool(max: 4) { pool, _ in
            try await pool.withConnection { connection in
                try await connection.execute("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL)")
                try await connection.execute("INSERT INTO doctors VALUES ('alice', true), ('bob', true)")
            }
            let barrier = Barrier(parties: 2)
            let failures = Locked<[String]>([])
            await withTaskGroup(of: Void.self) { group in
                for name in ["alice", "bob"] {
                    group.addTask {
                        do {
                            try await pool.withTransaction(isolation: .serializable, retry: .never) { session in
                                _ = try await session.scalar("SELECT count(*) FROM doctors WHERE on_call AND name <> \(name)", as: Int.self)
                                await barrier.arrive()
                                try await session.execute("UPDATE doctors SET on_call = false WHERE name = \(name)")
                            }
                        } catch {
                            failures.withLock { $0.append(RetryPolicy.isRetryable(error) ? "retryable" : "\(error)") }
                        }
                    }
                }
            }
            #expect(failures.value == ["retryable"], "exactly one typed serialization failure")
        }
    }

    @Test func deadlockIsTypedAndRetried() async throws {
        try await TestDatabase.withPool(max: 4, settings: ["deadlock_timeout": "100ms"]) { pool, schema in
            try await pool.withConnection { connection in
                try await connection.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)")
                try await connection.execute("INSERT INTO accounts VALUES (1, 100), (2, 100)")
            }
            for retry in [RetryPolicy.never, .default] {
                let barrier = Barrier(parties: 2)
                let errors = Locked<[String]>([])
                await withTaskGroup(of: Void.self) { group in
                    for (first, second) in [(1, 2), (2, 1)] {
                        group.addTask {
                            var waited = false
                            do {
                                try await pool.withTransaction(retry: retry) { session in
                                    try await session.execute("UPDATE accounts SET balance = balance - 1 WHERE id = \(Int32(first))")
                                    if !waited { waited = true; await barrier.arrive() }
                                    try await session.execute("UPDATE accounts SET balance = balance + 1 WHERE id = \(Int32(second))")
                                }
                            } catch let error as PostgresError {
                                errors.withLock { $0.append(error.sqlState.rawValue) }
                            } catch {
                                errors.withLock { $0.append("\(error)") }
                            }
                        }
                    }
                }
                if retry.maxAttempts == 1 {
                    #expect(errors.value == [SQLState.deadlockDetected.rawValue])
                } else {
                    #expect(errors.value.isEmpty, "retried until both committed: \(errors.value)")
                }
            }
            let balances = try await pool.withConnection { connection in
                try await connection.query("SELECT balance FROM accounts ORDER BY id").map { try $0.decode(Int32.self, at: 0) }
            }
            // Round one commits exactly one transfer (the other deadlocks), round two both.
            #expect(balances.reduce(0, +) == 200, "money is conserved")
            #expect(balances == [99, 101] || balances == [101, 99])
            _ = schema
        }
    }

    @Test func seedPatternsThroughRawSQL() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                try await session.execute("CREATE TABLE employees (name text, department text, salary int)")
                try await session.execute("""
                    INSERT INTO employees VALUES ('a', 'eng', 100), ('b', 'eng', 200), ('c', 'ops', 150), ('d', 'ops', 50)
                    """)
                struct Ranked: Decodable, Equatable { var name: String; var department: String; var rank: Int }
                let ranked = try await session.query("""
                    SELECT name, department, row_number() OVER (PARTITION BY department ORDER BY salary DESC) AS rank
                    FROM employees ORDER BY department, rank
                    """, as: Ranked.self)
                #expect(ranked == [Ranked(name: "b", department: "eng", rank: 1), Ranked(name: "a", department: "eng", rank: 2),
                                   Ranked(name: "c", department: "ops", rank: 1), Ranked(name: "d", department: "ops", rank: 2)])

                try await session.execute("CREATE TABLE categories (id int PRIMARY KEY, parent_id int REFERENCES categories, name text)")
                try await session.execute("INSERT INTO categories VALUES (1, NULL, 'root'), (2, 1, 'books'), (3, 2, 'sci-fi'), (4, 1, 'music')")
                struct Node: Decodable, Equatable { var id: Int32; var name: String; var depth: Int32; var path: String }
                let tree = try await session.query("""
                    WITH RECURSIVE tree AS (
                        SELECT id, name, 0 AS depth, name AS path FROM categories WHERE parent_id IS NULL
                        UNION ALL
                        SELECT c.id, c.name, t.depth + 1, t.path || '/' || c.name
                        FROM categories c JOIN tree t ON c.parent_id = t.id
                    )
                    SELECT * FROM tree WHERE depth <= \(Int32(5)) ORDER BY path
                    """, as: Node.self)
                #expect(tree.map(\.path) == ["root", "root/books", "root/books/sci-fi", "root/music"])
                #expect(tree.last?.depth == 1)

                struct Name: Decodable { var name: String }
                let departmentsWithRich = try await session.query("""
                    SELECT DISTINCT department AS name FROM employees e
                    WHERE EXISTS (SELECT 1 FROM employees r WHERE r.department = e.department AND r.salary > \(Int32(180)))
                    """, as: Name.self)
                #expect(departmentsWithRich.map(\.name) == ["eng"])
            }
        }
    }

    @Test func streamHoldsOneBatchAndSeesEveryRow() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withSession { session in
                struct Number: Decodable { var n: Int }
                var count = 0
                var sum = 0
                for try await number in session.stream("SELECT g AS n FROM generate_series(1, 10000) g", as: Number.self, batchSize: 333) {
                    count += 1
                    sum += number.n
                }
                #expect(count == 10_000)
                #expect(sum == 50_005_000)
                // The cursor is closed and its name free again.
                var again = 0
                for try await _ in session.stream("SELECT 1 AS n", as: Number.self) { again += 1 }
                #expect(again == 1)
            }
        }
    }
}
