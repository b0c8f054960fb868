/// One strategy's figures in one run. Field names are the published JSON schema; keep them.
struct BenchResult: Codable, Sendable {
    var workload: String
    var strategy: String
    var rows: Int?
    var seconds: Double
    var rowsPerSecond: Double?
    var queriesPerSecond: Double?
    var value: Double?
    var unit: String?
    /// The strategy this one is compared with, measured in the same run.
    var reference: String?
    /// This strategy's rate divided by the reference's (higher is better); for `ns/lease` and
    /// other costs, the reference's cost divided by this one's.
    var ratio: Double?
    /// Peak resident memory of the benchmark process during this strategy, when measured.
    var peakRSSMiB: Double?
    /// Further figures of the workload (the ledger's counts, for instance).
    var details: [String: Double]?

    /// The rate used for ratios: rows/s, queries/s, or the value.
    var rate: Double? { rowsPerSecond ?? queriesPerSecond ?? value }

    static func rows(_ workload: String, _ strategy: String, rows: Int, seconds: Double, peakRSSMiB: Double? = nil) -> BenchResult {
        BenchResult(workload: workload, strategy: strategy, rows: rows, seconds: seconds,
                    rowsPerSecond: Double(rows) / seconds, peakRSSMiB: peakRSSMiB)
    }

    static func queries(_ workload: String, _ strategy: String, queries: Int, seconds: Double) -> BenchResult {
        BenchResult(workload: workload, strategy: strategy, rows: queries, seconds: seconds,
                    queriesPerSecond: Double(queries) / seconds)
    }
}

extension Array where Element == BenchResult {
    /// Fills `reference` and `ratio` of every strategy named in `pairs` (strategy → reference).
    mutating func compare(_ pairs: [String: String], lowerIsBetter: Bool = false) {
        for index in indices {
            guard let referenceName = pairs[self[index].strategy],
                  let reference = first(where: { $0.strategy == referenceName && $0.workload == self[index].workload }),
                  let mine = self[index].rate, let theirs = reference.rate, mine > 0, theirs > 0
            else { continue }
            self[index].reference = referenceName
            self[index].ratio = lowerIsBetter ? theirs / mine : mine / theirs
        }
    }
}
