import Foundation
import Testing
import Tusk
@testable import TuskBenchKit

/// The ledger of `tusk-bench --workload ledger`, shorter: money moves between accounts in
/// SERIALIZABLE transactions with retry while a chaos task kills backends and restarts the
/// server. Nothing may be lost or doubled.
@Suite(.serialized, .enabled(if: Server.isControllable, "needs the throwaway cluster of Scripts/test.sh"))
struct LedgerTests {
    @Test func noCentIsLostUnderBackendKillsAndARestart() async throws {
        try await Faults.withPool(min: 4, max: 8, acquireTimeout: .seconds(5)) { pool, schema, name in
            let ledger = Ledger(schema: schema, connect: { try await Connection.connect(to: Server.configuration) },
                                restartServer: { try await Server.restart() })
            try await ledger.createTables()
            // No task may hang: the run must finish soon after its 8 seconds.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(40))
                Issue.record("the ledger did not finish: a task hung")
            }
            let report = try await ledger.run(pool: pool, applicationName: name, for: .seconds(8))
            watchdog.cancel()

            #expect(report.closingTotal == report.openingTotal, "the sum of balances is unchanged")
            #expect(report.committedLogged == report.committed.count, "every committed transfer is in the log exactly once")
            #expect(report.failedLogged == 0, "no failed transfer left a trace")
            #expect(report.mismatchedBalances == 0, "every balance matches its transfers")
            #expect(report.invariantViolations == 0)
            #expect(report.committed.count > 100, "the ledger did real work: \(report.committed.count) committed")
            #expect(report.faultsInjected > 5, "faults were injected: \(report.faultsInjected)")
            print("ledger: committed \(report.committed.count), failed \(report.failed.count), unknown \(report.unknownOutcomes) (+\(report.unknownReadOnly) that wrote nothing), "
                  + "retries \(report.retries), faults \(report.faultsInjected)")
        }
    }
}
