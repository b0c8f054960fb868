import Foundation
import Tusk

/// Prints results as a table (ratios first) and writes the JSON file.
enum Report {
    static func printTable(_ results: [BenchResult], workloads: [any Workload], postgres: String) {
        print("Tusk benchmark — PostgreSQL \(postgres) — \(Machine.current.summary)")
        print("")
        let header = ["workload", "strategy", "ratio", "vs", "rate", "unit", "seconds", "peak RSS"]
        var rows: [[String]] = []
        for result in results {
            let unit = result.rowsPerSecond != nil ? "rows/s" : result.queriesPerSecond != nil ? "queries/s" : (result.unit ?? "")
            rows.append([
                result.workload,
                result.strategy,
                result.ratio.map { String(format: "%.2f×", $0) } ?? "",
                result.reference ?? "",
                result.rate.map { format($0) } ?? "",
                unit,
                String(format: "%.3f", result.seconds),
                result.peakRSSMiB.map { String(format: "%.0f MiB", $0) } ?? "",
            ])
        }
        printAligned(header, rows)
        for result in results where result.details != nil {
            let details = (result.details ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\(format($0.value))" }
            print("\(result.workload)/\(result.strategy): \(details.joined(separator: " "))")
        }
    }

    /// Prints `rows` under `header`, each column as wide as its widest cell.
    private static func printAligned(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in max(header[column].count, rows.map { $0[column].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        print(line(header))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        rows.forEach { print(line($0)) }
    }

    static func format(_ value: Double) -> String {
        if value >= 100 { return String(Int(value.rounded())) }
        return String(format: "%.2f", value)
    }

    /// This run's ratios beside an earlier run's, strategy by strategy: what changed since.
    static func printComparison(_ results: [BenchResult], with previous: Document, from path: String) {
        print("")
        print("Compared with \(path) (PostgreSQL \(previous.postgres), \(previous.machine.summary)):")
        let header = ["workload", "strategy", "now", "before", "change"]
        var rows: [[String]] = []
        for result in results {
            guard let ratio = result.ratio else { continue }
            let before = previous.results.first { $0.workload == result.workload && $0.strategy == result.strategy }?.ratio
            rows.append([
                result.workload, result.strategy, String(format: "%.2f×", ratio),
                before.map { String(format: "%.2f×", $0) } ?? "—",
                before.map { String(format: "%+.0f%%", (ratio / $0 - 1) * 100) } ?? "",
            ])
        }
        printAligned(header, rows)
    }

    static func readJSON(_ path: String) throws -> Document {
        do {
            return try JSONDecoder().decode(Document.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw BenchError("could not read the earlier run \(path): \(error)")
        }
    }

    struct Document: Codable {
        var machine: Machine
        var postgres: String
        var results: [BenchResult]
    }

    static func writeJSON(_ results: [BenchResult], postgres: String, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Document(machine: .current, postgres: postgres, results: results))
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// What the numbers were measured on.
struct Machine: Codable {
    var cores: Int
    var memoryGiB: Double
    var os: String
    var swift: String
    var libpq: Int

    static var current: Machine {
        let os = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? ProcessInfo.processInfo.operatingSystemVersionString
        #if swift(>=6.3)
        let swift = "6.3"
        #else
        let swift = "6.x"
        #endif
        return Machine(cores: ProcessInfo.processInfo.activeProcessorCount,
                       memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                       os: os, swift: swift, libpq: Connection.libpqVersion)
    }

    var summary: String { "\(cores) cores, \(memoryGiB) GiB, \(os), Swift \(swift), libpq \(libpq)" }
}
