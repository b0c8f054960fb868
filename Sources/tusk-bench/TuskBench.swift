import ArgumentParser
import Foundation
import Tusk

@main
struct TuskBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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

    @Option(help: "Seconds for timed workloads.")
    var duration: Double = 10

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Send COMMIT alone, without the transaction id that resolves a commit whose connection was lost.")
    var noCommitResolution = false

    mutating func run() async throws {
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
                                   rows: rows, duration: duration, restartServer: restart)
        context.resolvesLostCommits = !noCommitResolution
        let probe = try await context.connect()
        let version = try await probe.query("SHOW server_version")[0].decode(String.self, at: 0)
        await probe.close()

        var results: [BenchResult] = []
        for workload in selected {
            context.progress("workload \(workload.name): \(workload.summary)")
            // Off the main actor: callers of a database library run on the global executor.
            results += try await Task.detached { [context] in try await workload.run(context) }.value
        }
        if server == nil { try await context.dropBenchTables() }
        Report.printTable(results, workloads: selected, postgres: version)
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
