import Foundation
import Testing
import Tusk

#if canImport(Glibc)
import Glibc
#endif

/// Controls the throwaway server of `Scripts/postgres.sh` (restart, pause, resume). The fault
/// suite runs alone, after the other tests, because these affect every connection.
enum Server {
    static var isControllable: Bool {
        ProcessInfo.processInfo.environment["TUSK_PG_STATE"].map { FileManager.default.fileExists(atPath: $0) } ?? false
    }

    static var configuration: ConnectionConfiguration {
        get throws {
            var configuration = try ConnectionConfiguration.fromEnvironment()
            configuration.applicationName = "tusk-fault-tests"
            return configuration
        }
    }

    /// `pg_ctl restart -m fast`: returns once the server accepts connections again.
    static func restart() throws { try script("restart", "-m", "fast") }
    /// Stops the server, keeping its data.
    static func pause() throws { try script("pause") }
    /// Starts it again; returns once it accepts connections.
    static func resume() throws { try script("resume") }

    private static func script(_ arguments: String...) throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/postgres.sh").path
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // An empty signal mask for the child: Swift's threads block signals, and pg_ctl and the
        // server it starts must see them.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, nil, &attributes, argv, environ) == 0 else {
            throw ConnectionError(.invalidConfiguration, message: "could not run \(path)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw ConnectionError(.invalidConfiguration, message: "postgres.sh \(arguments.joined(separator: " ")) failed: \(status)")
        }
    }
}

/// Whether an error is one of Tusk's typed errors (never an untyped surprise).
func isTyped(_ error: any Error) -> Bool {
    error is ConnectionError || error is PoolError || error is PostgresError || error is CancellationError
}
