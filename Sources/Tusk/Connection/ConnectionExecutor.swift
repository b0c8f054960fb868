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
/// The same thread also serves as a task executor (``taskExecutor``): code that prefers it
/// (``Connection/withPinnedExecution(_:)``, which the pool and sessions use) runs here too, so
/// awaiting the connection costs no thread switch — one context switch per statement, as with
/// synchronous libpq.
final class ConnectionExecutor: SerialExecutor {
    private let queue: ConnectionJobQueue
    /// The task-executor face of the same thread.
    let taskExecutor: ConnectionTaskExecutor

    /// Starts a thread: `pthread_create` with these attributes, entry point and argument; returns
    /// 0 or an error number. Injectable so that a test can make it fail.
    typealias ThreadSpawner = @Sendable (
        _ attributes: UnsafePointer<pthread_attr_t>,
        _ entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?,
        _ argument: UnsafeMutableRawPointer
    ) -> Int32

    /// The system's `pthread_create`.
    static let systemThreadSpawner: ThreadSpawner = { attributes, entry, argument in
        var thread = pthread_t()
        return pthread_create(&thread, attributes, entry, argument)
    }

    /// Starts the thread.
    ///
    /// - Throws: ``ConnectionError`` with `connectFailed` when the system cannot start a thread
    ///   (resource exhaustion: too many threads, no memory).
    init(name: String, spawnThread: ThreadSpawner = ConnectionExecutor.systemThreadSpawner) throws {
        queue = ConnectionJobQueue()
        taskExecutor = ConnectionTaskExecutor(queue: queue)
        try queue.start(name: name, serialExecutor: self, spawnThread: spawnThread)
    }

    deinit {
        queue.shutdown()
    }

    /// Queues an actor job; it runs isolated to the connection.
    func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job), asTaskJob: false)
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}

/// The connection thread seen as a task executor: jobs of tasks that prefer it.
final class ConnectionTaskExecutor: TaskExecutor {
    fileprivate let queue: ConnectionJobQueue

    fileprivate init(queue: ConnectionJobQueue) {
        self.queue = queue
    }

    /// Queues a job of a task that prefers this thread.
    func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job), asTaskJob: true)
    }
}

/// The thread and its queue of jobs.
///
/// `@unchecked Sendable` because its mutable state (the queues, the shutdown flag) is guarded by
/// the pthread mutex it allocates.
private final class ConnectionJobQueue: @unchecked Sendable {
    private struct Entry {
        let job: UnownedJob
        let asTaskJob: Bool
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [Entry] = []
    private var isShuttingDown = false
    private var name = ""
    private var serialExecutor: UnownedSerialExecutor?
    private var taskExecutor: UnownedTaskExecutor?

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        jobs.reserveCapacity(8)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func start(name: String, serialExecutor executor: ConnectionExecutor, spawnThread: ConnectionExecutor.ThreadSpawner) throws {
        self.name = name
        // Unowned: jobs keep their actor (and with it the executor) alive while they run, and a
        // task prefers the task executor only inside `withPinnedExecution`, which keeps the
        // connection alive.
        serialExecutor = executor.asUnownedSerialExecutor()
        taskExecutor = executor.taskExecutor.asUnownedTaskExecutor()
        let retained = Unmanaged.passRetained(self)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let created = spawnThread(&attributes, { context in
            guard let context else { return nil }
            Unmanaged<ConnectionJobQueue>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, retained.toOpaque())
        pthread_attr_destroy(&attributes)
        if created != 0 {
            // The thread never took its reference.
            retained.release()
            throw ConnectionError(.connectFailed, message: "could not start a connection thread (pthread_create: error \(created))")
        }
    }

    func push(_ job: UnownedJob, asTaskJob: Bool) {
        pthread_mutex_lock(mutex)
        jobs.append(Entry(job: job, asTaskJob: asTaskJob))
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Lets the thread exit once its queue is empty.
    func shutdown() {
        pthread_mutex_lock(mutex)
        isShuttingDown = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    private func run() {
        SystemCalls.setCurrentThreadName(name)
        guard let serialExecutor, let taskExecutor else { return }
        var batch: [Entry] = []
        batch.reserveCapacity(8)
        while true {
            pthread_mutex_lock(mutex)
            while jobs.isEmpty && !isShuttingDown {
                pthread_cond_wait(condition, mutex)
            }
            if jobs.isEmpty && isShuttingDown {
                pthread_mutex_unlock(mutex)
                return
            }
            swap(&jobs, &batch)
            pthread_mutex_unlock(mutex)
            for entry in batch {
                if entry.asTaskJob {
                    entry.job.runSynchronously(on: taskExecutor)
                } else {
                    entry.job.runSynchronously(on: serialExecutor)
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
