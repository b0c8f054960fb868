import ArgumentParser
import Foundation
import Tusk

/// The `tusk-bench` command.
public struct TuskBench: AsyncParsableCommand {
    /// The command's name, abstract and discussion.
    public static let configuration = CommandConfiguration(
        commandName: "tusk-bench",
        abstract: "Tusk's benchmark: every figure is a ratio to a reference measured in the same run.",
        discussion: """
            Without DATABASE_URL it starts a throwaway PostgreSQL (initdb + pg_ctl) and stops it at the end;
            with DATABASE_URL it uses that server and creates and drops only its own tables.
            Workloads: \(allWorkloads.map(\.name).joined(separator: ", ")).
            """
    )

    @Option(name: .customLong("workload"), help: "A workload to run (repeatable; default: all).")
    var workloads: [String] = []

    @Option(help: "Scales each workload's size (rows or statements).")
    var rows: Int?

    @Option(help: "Seconds for timed workloads (default: 10, or 3 with --quick).")
    var duration: Double?

    @Flag(help: "Every workload at a tenth of its size and 3-second timed runs: the whole suite in about 3 minutes.")
    var quick = false

    @Option(help: "A JSON file of an earlier run (--json): prints its ratios beside this run's.")
    var compare: String?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Send COMMIT alone, without the transaction id that resolves a commit whose connection was lost.")
    var noCommitResolution = false

    /// A command with every option at its default.
    public init() {}

    /// Runs the chosen workloads and prints (and optionally saves) the results.
    public mutating func run() async throws {
        let selected = try selectedWorkloads()
        var server: ThrowawayPostgres?
        defer { server?.stop() }
        let url: String
        if let given = ProcessInfo.processInfo.environment["DATABASE_URL"], !given.isEmpty {
            url = given
        } else {
            let throwaway = try ThrowawayPostgres()
            FileHandle.standardError.write(Data("tusk-bench: starting a throwaway PostgreSQL on port \(throwaway.port)\n".utf8))
            try throwaway.start()
            server = throwaway
            url = throwaway.url
        }

        var configuration = try ConnectionConfiguration(connectionString: url)
        configuration.applicationName = "tusk-bench"
        var restart: (@Sendable () async throws -> Void)?
        if let server { restart = { try await server.restart() } }
        var context = BenchContext(url: url, configuration: configuration, binDirectory: try ThrowawayPostgres.findBinDirectory(),
                                   rows: rows, duration: duration ?? (quick ? 3 : 10), restartServer: restart)
        if quick { context.scale = 0.1 }
        context.resolvesLostCommits = !noCommitResolution
        let probe = try await context.connect()
        let version = try await probe.query("SHOW server_version")[0].decode(String.self, at: 0)
        await probe.close()

        // Read before the run, so that a bad path fails in seconds, not after the suite.
        let previous = try compare.map(Report.readJSON)
        var results: [BenchResult] = []
        for workload in selected {
            context.progress("workload \(workload.name): \(workload.summary)")
            // Off the main actor: callers of a database library run on the global executor.
            results += try await Task.detached { [context] in try await workload.run(context) }.value
        }
        if server == nil { try await context.dropBenchTables() }
        Report.printTable(results, workloads: selected, postgres: version)
        if let previous, let compare { Report.printComparison(results, with: previous, from: compare) }
        if let json {
            try Report.writeJSON(results, postgres: version, to: json)
            context.progress("wrote \(json)")
        }
    }

    private func selectedWorkloads() throws -> [any Workload] {
        if workloads.isEmpty { return allWorkloads }
        return try workloads.map { name in
            guard let workload = allWorkloads.first(where: { $0.name == name }) else {
                throw ValidationError("unknown workload \(name); known: \(allWorkloads.map(\.name).joined(separator: ", "))")
            }
            return workload
        }
    }
}
