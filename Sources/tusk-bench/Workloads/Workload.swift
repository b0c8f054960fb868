/// A benchmark workload: strategies measured against references in one run.
protocol Workload: Sendable {
    /// The `--workload` name.
    var name: String { get }
    /// What it measures, for the report.
    var summary: String { get }
    func run(_ context: BenchContext) async throws -> [BenchResult]
}

/// Every workload, in the default order.
let allWorkloads: [any Workload] = [
    InsertWorkload(),
    UpsertWorkload(),
    PointSelectWorkload(),
    StreamWorkload(),
    DecodeWorkload(),
    FlushWorkload(),
    PoolWorkload(),
    RoundTripWorkload(),
    LedgerWorkload(),
]
