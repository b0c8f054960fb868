/// A benchmark workload: strategies measured against references in one run.
protocol Workload: Sendable {
    /// The `--workload` name.
    var name: String { get }
    /// What it measures, for the report.
    var summary: String { get }
    func run(_ context: BenchContext) async throws -> [BenchResult]
}

/// Every workload, in the default order.
/// Stream runs before the memory-heavier upsert, so its peak RSS is its own.
let allWorkloads: [any Workload] = [
    InsertWorkload(),
    StreamWorkload(),
    UpsertWorkload(),
    PointSelectWorkload(),
    DecodeWorkload(),
    FlushWorkload(),
    PoolWorkload(),
    RoundTripWorkload(),
    LedgerWorkload(),
]
