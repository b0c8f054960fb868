#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A serial executor backed by one dedicated OS thread: the thread a ``Connection`` runs on.
///
/// libpq calls that wait (connect, query, COPY) run here, never on Swift's cooperative pool. A
/// probe decided this design over a shared epoll loop: see `Docs/Architecture.md`.
///
/// `@unchecked Sendable` because its only mutable state, the job queue, is guarded by the
/// pthread mutex it allocates.
final class ConnectionExecutor: SerialExecutor, @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [UnownedJob] = []
    private var spare: [UnownedJob] = []
    private var isShuttingDown = false
    private let name: String

    /// Starts the thread.
    init(name: String) {
        self.name = name
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        jobs.reserveCapacity(8)
        spare.reserveCapacity(8)
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let created = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            let executor = Unmanaged<ConnectionExecutor>.fromOpaque(context).takeRetainedValue()
            executor.run()
            return nil
        }, context)
        pthread_attr_destroy(&attributes)
        if created != 0 {
            // Without a thread nothing can run; this is resource exhaustion, not bad input.
            fatalError("Tusk could not start a connection thread (pthread_create: \(created))")
        }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Queues a job; wakes the thread.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pthread_mutex_lock(mutex)
        jobs.append(unowned)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Lets the thread exit once its queue is empty. Called when the connection is released.
    func shutdown() {
        pthread_mutex_lock(mutex)
        isShuttingDown = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func isSameExclusiveExecutionContext(other: ConnectionExecutor) -> Bool {
        self === other
    }

    private func run() {
        SystemCalls.setCurrentThreadName(name)
        let executor = asUnownedSerialExecutor()
        while true {
            pthread_mutex_lock(mutex)
            while jobs.isEmpty && !isShuttingDown {
                pthread_cond_wait(condition, mutex)
            }
            if jobs.isEmpty && isShuttingDown {
                pthread_mutex_unlock(mutex)
                return
            }
            swap(&jobs, &spare)
            pthread_mutex_unlock(mutex)
            for job in spare {
                job.runSynchronously(on: executor)
            }
            spare.removeAll(keepingCapacity: true)
        }
    }
}
