import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import Tusk
import TuskTestSupport

/// `ConnectionPool` as a swift-service-lifecycle `Service`: graceful shutdown lets leases in
/// flight finish, refuses new ones, closes every connection, and returns.
@Suite struct PoolServiceTests {
    /// An app service that holds `leases` connections when shutdown begins and runs one more
    /// statement on each afterwards: the work in flight that a graceful shutdown must let finish.
    struct AppService: Service {
        let pool: ConnectionPool
        let leases: Int
        let holding: Barrier
        let completed: Locked<Int>

        func run() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<leases {
                    group.addTask {
                        try await pool.withConnection { connection in
                            await holding.arrive()
                            // Holds the lease until the group begins to shut down.
                            try? await gracefulShutdown()
                            let value = try await connection.query("SELECT 1 + \(1)")[0].decode(Int.self, at: 0)
                            #expect(value == 2)
                            completed.withLock { $0 += 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func aServiceGroupShutsThePoolDownAfterTheWorkInFlight() async throws {
        try await TestDatabase.withPool(min: 0, max: 4) { pool, _ in
            let holding = Barrier(parties: 4)
            let completed = Locked(0)
            let app = AppService(pool: pool, leases: 3, holding: holding, completed: completed)
            var logger = Logger(label: "tusk.tests.service-group")
            logger.logLevel = .error
            // The pool first: the group shuts services down in reverse order, so the app stops
            // using the pool before the pool closes.
            let group = ServiceGroup(services: [pool, app], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await holding.arrive()
                #expect(pool.statistics.inUse == 3)
                let started = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                let elapsed = ContinuousClock.now - started
                print("PoolServiceTests: graceful shutdown with 3 leases in flight took \(elapsed)")
                // Promptly: not after the 30 s grace period.
                #expect(elapsed < .seconds(30))
            }
            #expect(completed.withLock { $0 } == 3)
            let statistics = pool.statistics
            #expect(statistics.idle == 0 && statistics.inUse == 0 && statistics.opening == 0 && statistics.closing == 0)
            await #expect(throws: PoolError.self) {
                try await pool.withConnection { _ in }
            }
        }
    }

    @Test func shutdownRefusesNewLeasesWhileOneInFlightFinishes() async throws {
        try await TestDatabase.withPool(min: 1, max: 2) { pool, _ in
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await pool.run() }
                    try await pool.withConnection { connection in
                        trigger.triggerGracefulShutdown()
                        // The pool is closing: a new lease is refused rather than served later.
                        try await waitUntil {
                            do {
                                try await pool.withConnection { _ in }
                                return false
                            } catch let error as PoolError {
                                return error.code == .closed
                            }
                        }
                        // The lease in flight still works.
                        let value = try await connection.query("SELECT \(41) + 1")[0].decode(Int.self, at: 0)
                        #expect(value == 42)
                    }
                    try await tasks.waitForAll()
                }
            }
            let statistics = pool.statistics
            #expect(statistics.idle == 0 && statistics.inUse == 0 && statistics.opening == 0)
        }
    }

    @Test func cancellingRunClosesThePool() async throws {
        try await TestDatabase.withPool(min: 2, max: 2) { pool, _ in
            try await waitUntil { pool.statistics.idle == 2 }
            let run = Task { try await pool.run() }
            run.cancel()
            try await run.value
            let statistics = pool.statistics
            #expect(statistics.idle == 0 && statistics.inUse == 0 && statistics.opening == 0)
        }
    }
}
