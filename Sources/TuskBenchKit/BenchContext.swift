import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Tusk

/// What every workload gets: the server, its client tools, the size and duration asked for.
struct BenchContext: Sendable {
    let url: String
    let configuration: ConnectionConfiguration
    let binDirectory: String
    /// `--rows`: scales each workload's size.
    let rows: Int?
    /// `--duration`: length of timed workloads, in seconds.
    let duration: Double
    /// Restarts the server, when the benchmark started it itself.
    let restartServer: (@Sendable () async throws -> Void)?
    /// `--no-commit-resolution`: pools send COMMIT alone, without the transaction id that lets a
    /// lost commit be resolved (to measure what that costs).
    var resolvesLostCommits = true

    /// `--quick`: each workload's default size is multiplied by this.
    var scale = 1.0

    func rows(default value: Int) -> Int { rows ?? max(1, Int((Double(value) * scale).rounded())) }

    func connect() async throws -> Connection {
        try await Connection.connect(to: configuration, logger: Self.quietLogger)
    }

    /// Runs `body` with a pool of up to `connections` connections, `warm` of them opened up front
    /// (and anything else `configure` sets), and closes the pool before returning, whatever
    /// happens: the next workload starts on a quiet server.
    func withPool<T>(connections: Int, warm: Int = 0, configure: (inout PoolConfiguration) -> Void = { _ in },
                     _ body: (ConnectionPool) async throws -> T) async throws -> T {
        var poolConfiguration = PoolConfiguration(connection: configuration)
        poolConfiguration.minConnections = warm
        poolConfiguration.maxConnections = connections
        poolConfiguration.resolvesLostCommits = resolvesLostCommits
        configure(&poolConfiguration)
        let pool = ConnectionPool(configuration: poolConfiguration, logger: Self.quietLogger)
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Runs `body` with one connection, closed before returning whatever happens.
    func withConnection<T>(_ body: (Connection) async throws -> T) async throws -> T {
        try await withClosing(try await connect(), body)
    }

    /// Errors only: server notices (`relation … already exists, skipping`) and the ledger's expected
    /// reconnect warnings are noise in a benchmark report.
    static var quietLogger: Logger {
        var logger = Logger(label: "tusk-bench")
        logger.logLevel = .error
        return logger
    }

    /// Runs `psql -c command` against the server; returns its output.
    @discardableResult
    func psql(_ command: String, extra: [String] = []) async throws -> String {
        try await Shell.run(binDirectory + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command] + extra)
    }

    /// Runs `pgbench` with a custom script and returns its transactions per second.
    func pgbench(script: String, clients: Int, threads: Int, transactions: Int? = nil, seconds: Int? = nil) async throws -> Double {
        let file = NSTemporaryDirectory() + "tusk-bench-\(UUID().uuidString).sql"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var arguments = ["-n", "-M", "prepared", "-c", String(clients), "-j", String(threads), "-f", file]
        if let transactions { arguments += ["-t", String(transactions)] }
        if let seconds { arguments += ["-T", String(seconds)] }
        let output = try await Shell.run(binDirectory + "/pgbench", arguments + [url])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let value = Double(line.dropFirst(6).prefix { $0.isNumber || $0 == "." })
        else { throw BenchError("could not read pgbench's tps from: \(output)") }
        return value
    }

    func progress(_ message: String) {
        FileHandle.standardError.write(Data("tusk-bench: \(message)\n".utf8))
    }
}

/// Runs `body` with `connection`, then closes it whatever happens: the server sees the
/// disconnect before the caller moves on.
func withClosing<T>(_ connection: Connection, _ body: (Connection) async throws -> T) async throws -> T {
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

/// Wall time of `body`, in seconds.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Peak resident memory since the last reset, from /proc (Linux), in MiB.
enum PeakMemory {
    /// Resets the kernel's high-water mark (`echo 5 > /proc/self/clear_refs`), first handing back
    /// to the kernel what earlier workloads freed: glibc keeps freed memory in per-thread arenas,
    /// and each connection thread has one, so without the trim a workload's peak would include
    /// its predecessors' garbage.
    static func reset() {
        trimMallocArenas()
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// `malloc_trim(0)`, looked up at run time: Swift's Glibc module does not import `malloc.h`.
    private static func trimMallocArenas() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    static func mebibytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
        return kilobytes.map { $0 / 1024 }
    }
}
