import Foundation

/// A PostgreSQL cluster the benchmark starts for itself when `DATABASE_URL` is unset: the same
/// steps as `Scripts/postgres.sh start` (initdb and pg_ctl as the `postgres` user when run as
/// root, a temp data directory, loopback, a free port), stopped again when the run ends.
final class ThrowawayPostgres: @unchecked Sendable {  // immutable after init but for `running`, touched by the main task only
    let binDirectory: String
    let root: String
    let port: Int
    private var running = false

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    init() throws {
        binDirectory = try Self.findBinDirectory()
        root = try Shell.runBlocking("/bin/mktemp", ["-d", "/tmp/tusk-bench-pg.XXXXXX"]).trimmingCharacters(in: .whitespacesAndNewlines)
        port = Self.freePort()
    }

    func start() throws {
        let data = root + "/db"
        try Shell.runBlocking("/bin/chmod", ["755", root])
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/socket", withIntermediateDirectories: true)
        if getuid() == 0 { try Shell.runBlocking("/bin/chown", ["-R", "postgres:", root]) }
        try asServerUser(binDirectory + "/initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        let settings = """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(root)/socket'
            max_connections = 300
            shared_buffers = 256MB
            max_wal_size = 4GB
            log_min_messages = warning

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/postgresql.conf"))
        handle.seekToEndOfFile()
        handle.write(Data(settings.utf8))
        handle.closeFile()
        // The server inherits pg_ctl's output; give it no pipe, or reading to EOF would never end.
        try asServerUser(binDirectory + "/pg_ctl", ["-D", data, "-l", root + "/server.log", "-w", "-t", "60", "start"], detached: true)
        running = true
    }

    /// `pg_ctl restart -m fast`; returns once the server accepts connections again.
    func restart() async throws {
        let arguments = ["-D", root + "/db", "-l", root + "/server.log", "-m", "fast", "-w", "-t", "60", "restart"]
        if getuid() == 0 {
            try await Shell.run("/usr/sbin/runuser", ["-u", "postgres", "--", binDirectory + "/pg_ctl"] + arguments, detached: true)
        } else {
            try await Shell.run(binDirectory + "/pg_ctl", arguments, detached: true)
        }
    }

    func stop() {
        guard running else { return }
        running = false
        _ = try? asServerUser(binDirectory + "/pg_ctl", ["-D", root + "/db", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: root)
    }

    deinit { stop() }

    private func asServerUser(_ executable: String, _ arguments: [String], detached: Bool = false) throws {
        if getuid() == 0 {
            try Shell.runBlocking("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments, detached: detached)
        } else {
            try Shell.runBlocking(executable, arguments, detached: detached)
        }
    }

    static func findBinDirectory() throws -> String {
        if let output = try? Shell.runBlocking("/usr/bin/env", ["pg_config", "--bindir"]) {
            let path = output.trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.isExecutableFile(atPath: path + "/pg_ctl") { return path }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let path = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: path + "/pg_ctl") { return path }
        }
        throw BenchError("no PostgreSQL server binaries found; install postgresql or set DATABASE_URL (Scripts/bench.sh installs it)")
    }

    private static func freePort() -> Int {
        for _ in 0..<200 {
            // Below the kernel's ephemeral range (32768 up on Linux): a port in it can be taken
            // by any outgoing connection between this check and the server's bind.
            let candidate = Int.random(in: 10_000..<32_000)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(candidate).bigEndian)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if result == 0 { return candidate }
        }
        return 54_329
    }
}

/// Runs processes and collects their output, with posix_spawn and waitpid (Foundation's
/// `Process` can hang reaping children on Linux when called from async code).
enum Shell {
    /// Runs `executable` and returns its standard output; throws with its standard error when it
    /// exits non-zero. `detached` sends both to /dev/null (for daemons that inherit them).
    ///
    /// It blocks the calling thread until the child exits: call it where blocking is fine (start-up,
    /// `deinit`), and ``run(_:_:detached:)`` from async code.
    @discardableResult
    static func runBlocking(_ executable: String, _ arguments: [String], detached: Bool = false) throws -> String {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let errorPath = NSTemporaryDirectory() + "tusk-bench-stderr-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        var outputPipe: [Int32] = [-1, -1]
        if detached {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            guard pipe(&outputPipe) == 0 else { throw BenchError("pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
            posix_spawn_file_actions_addclose(&actions, outputPipe[0])
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let attributes = SpawnAttributes()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes.value, argv, environ)
        if !detached { close(outputPipe[1]) }
        guard spawned == 0 else {
            if !detached { close(outputPipe[0]) }
            throw BenchError("could not start \(executable): \(String(cString: strerror(spawned)))")
        }
        var output = Data()
        if !detached {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(outputPipe[0], &chunk, chunk.count)
                if count > 0 { output.append(contentsOf: chunk[0..<count]); continue }
                if count < 0, errno == EINTR { continue }
                break
            }
            close(outputPipe[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exitCode = (status >> 8) & 0xFF
        guard status & 0x7F == 0, exitCode == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(errors)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension Shell {
    /// ``runBlocking(_:_:detached:)`` on a thread of its own, so that a child that takes seconds
    /// (pgbench, a server restart) never holds one of Swift's few cooperative threads.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], detached: Bool = false) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(executable, arguments, detached: detached) })
            }
        }
    }
}

/// posix_spawn attributes that give the child an empty signal mask and default handlers: Swift's
/// threads block signals, and a child that inherits that mask never sees SIGALRM (pgbench -T
/// would run forever) or SIGTERM.
final class SpawnAttributes {
    var value = posix_spawnattr_t()

    init() {
        posix_spawnattr_init(&value)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&value, &empty)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&value, &all)
        posix_spawnattr_setflags(&value, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    deinit {
        posix_spawnattr_destroy(&value)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
