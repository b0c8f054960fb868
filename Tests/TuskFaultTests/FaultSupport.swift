import Foundation
import Testing
import Tusk
@testable import TuskBenchKit

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
    static func restart() async throws { try await script("restart", "-m", "fast") }
    /// Stops the server, keeping its data.
    static func pause() async throws { try await script("pause") }
    /// Starts it again; returns once it accepts connections.
    static func resume() async throws { try await script("resume") }

    /// Runs Scripts/postgres.sh on a thread of its own (it takes seconds; a blocking wait would
    /// hold one of the two cooperative threads), with the signal mask a server needs.
    private static func script(_ arguments: String...) async throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/postgres.sh").path
        try await Shell.run(path, arguments, detached: true)
    }
}

/// Whether an error is one of Tusk's typed errors (never an untyped surprise).
func isTyped(_ error: any Error) -> Bool {
    error is ConnectionError || error is PoolError || error is PostgresError || error is CancellationError
}
