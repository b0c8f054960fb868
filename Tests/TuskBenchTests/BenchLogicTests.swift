import ArgumentParser
import Foundation
import Testing
import Tusk
@testable import TuskBenchKit

/// The benchmark's logic that needs no timing. No test here asserts a time.
@Suite struct BenchLogicTests {
    @Test func rowGenerationIsDeterministic() {
        #expect(BenchUser.row(42) == BenchUser.row(42))
        let row = BenchUser.row(42)
        #expect(row.email == "user42@example.com")
        #expect(row.name == "Name 42")
        #expect(row.age == 42)
        #expect(row.score == 21)
        #expect(row.active)
        #expect(row.createdAt == Date(timeIntervalSince1970: 1_704_067_242))
        #expect(row.uid.uuidString == "00000000-0000-4000-8000-00000000002A")
        #expect(BenchUser.row(43).uid != row.uid)
    }

    @Test func ratiosCompareWithTheReferenceOfTheSameWorkload() {
        var results: [BenchResult] = [
            .rows("insert", "tusk.addMany", rows: 100, seconds: 1),
            .rows("insert", "reference.psqlCopyBinary", rows: 100, seconds: 2),
        ]
        results.compare(["tusk.addMany": "reference.psqlCopyBinary"])
        #expect(results[0].ratio == 2)
        #expect(results[0].reference == "reference.psqlCopyBinary")
        results.keepBest(.rows("insert", "tusk.addMany", rows: 100, seconds: 4))
        #expect(results[0].seconds == 1, "a slower run does not replace a faster one")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["DATABASE_URL"] != nil, "needs the test server"))
    func everyWorkloadCompletesAtAThousandRowsAndTheJSONHasEveryField() async throws {
        let path = NSTemporaryDirectory() + "tusk-bench-test-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var command = try TuskBench.parse(["--rows", "1000", "--duration", "1", "--json", path])
        try await command.run()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["machine"] is [String: Any])
        #expect(document["postgres"] is String)
        let results = try #require(document["results"] as? [[String: Any]])
        let workloads = Set(results.compactMap { $0["workload"] as? String })
        #expect(workloads == Set(allWorkloads.map(\.name)))
        for result in results {
            for field in ["workload", "strategy", "seconds"] { #expect(result[field] != nil, "\(field) in \(result)") }
            #expect(result["rowsPerSecond"] != nil || result["queriesPerSecond"] != nil || (result["value"] != nil && result["unit"] != nil))
        }
        let strategies = Set(results.compactMap { $0["strategy"] as? String })
        for name in ["tusk.addMany", "tusk.rowByRow", "tusk.multiValues", "tusk.unnest", "reference.psqlCopyBinary",
                     "reference.serverInsertSelect", "tusk.upsertMany", "reference.serverUpsert", "tusk.get.c8", "tusk.raw.c8", "tusk.get.c1",
                     "reference.pgbench.c8", "reference.pgbench.c1", "tusk.stream", "tusk.export", "tusk.stream.model", "tusk.export.model", "reference.psqlCopyOutBinary",
                     "tusk.repository.list", "tusk.repository.list.model", "tusk.raw.decode", "tusk.flush.pipelined", "tusk.flush.sequential", "reference.flushServerOnly",
                     "tusk.pool.uncontended", "tusk.pool.contended", "tusk.ledger"] {
            #expect(strategies.contains(name), "strategy \(name)")
        }
        let ledger = try #require(results.first { $0["strategy"] as? String == "tusk.ledger" }?["details"] as? [String: Double])
        #expect(ledger["invariantViolations"] == 0)
        for key in ["faultsInjected", "committed", "retries", "unknownOutcomes"] { #expect(ledger[key] != nil) }
        #expect(results.contains { ($0["ratio"] as? Double) != nil && $0["reference"] != nil })
    }

    @Test func theQuickSuiteScalesEveryDefaultSizeButNotAGivenOne() throws {
        let configuration = try ConnectionConfiguration(url: "postgres://u@127.0.0.1/db")
        var context = BenchContext(url: "", configuration: configuration, binDirectory: "", rows: nil, duration: 3, restartServer: nil)
        context.scale = 0.1
        #expect(context.rows(default: 1_000_000) == 100_000)
        #expect(context.rows(default: 5) == 1)
        let given = BenchContext(url: "", configuration: configuration, binDirectory: "", rows: 777, duration: 3, restartServer: nil)
        #expect(given.rows(default: 1_000_000) == 777)
        let quick = try TuskBench.parse(["--quick"])
        #expect(quick.quick && quick.duration == nil)
    }

    @Test func anEarlierRunReadsBackForComparison() throws {
        let path = NSTemporaryDirectory() + "tusk-bench-compare-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var results: [BenchResult] = [
            .queries("point-select", "tusk.get.c8", queries: 300, seconds: 1),
            .queries("point-select", "reference.pgbench.c8", queries: 1_000, seconds: 1),
        ]
        results.compare(["tusk.get.c8": "reference.pgbench.c8"])
        try Report.writeJSON(results, postgres: "15", to: path)
        let earlier = try Report.readJSON(path)
        #expect(earlier.results.first { $0.strategy == "tusk.get.c8" }?.ratio == 0.3)
        #expect(throws: BenchError.self) { try Report.readJSON(path + ".missing") }
    }

    @Test func theFlushReferenceScriptSendsTheFlushShapesAndSumsPsqlTimings() throws {
        let script = FlushReferenceScript.script(inserts: [BenchUser.row(7)], updates: [BenchUser.row(1)], deletes: [2, 3])
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.first == "\\timing on")
        #expect(lines.filter { $0.hasSuffix(";") } .count == 5)
        #expect(script.contains("FROM unnest('{7}'::bigint[], '{00000000-0000-4000-8000-000000000007}'::uuid[], '{\"user7@example.com\"}'::text[]"))
        #expect(script.contains("'{2024-01-01T00:00:07Z}'::timestamptz[]) WITH ORDINALITY AS u(c1, c2, c3, c4, c5, c6, c7, c8, tusk_ordinality)"))
        #expect(script.contains("UPDATE bench_users AS tusk_target SET uid = s.c2, email = s.c3, name = s.c4, age = s.c5, score = s.c6, active = s.c7, created_at = s.c8"))
        #expect(script.contains("USING unnest('{2,3}'::bigint[]) AS s(c1) WHERE tusk_target.id = s.c1;"))
        let timing = "Time: 0.100 ms\nTime: 2.500 ms\nTime: 1.400 ms\nTime: 1.000 ms\nTime: 0.500 ms (00:00.000)\n"
        #expect(abs(try FlushReferenceScript.totalSeconds(fromTimingOutput: timing) - 0.0055) < 1e-12)
        #expect(throws: BenchError.self) { try FlushReferenceScript.totalSeconds(fromTimingOutput: "Time: 1.0 ms\n") }
    }
}
