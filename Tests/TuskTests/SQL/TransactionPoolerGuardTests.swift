import Testing
@testable import Tusk

/// Behind a transaction-mode pooler, a statement whose effect outlives its transaction is refused
/// before it is sent; everything transaction-scoped passes.
@Suite struct TransactionPoolerGuardTests {
    @Test func sessionScopedStatementsAreRefused() {
        for text in [
            "LISTEN jobs", "unlisten *", "PREPARE q AS SELECT 1", "DEALLOCATE ALL", "DISCARD ALL",
            "SET search_path = app", "set session statement_timeout = 5", "RESET ALL", "reset TimeZone",
            "/* c */ SET TimeZone TO 'UTC'", "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
            "SELECT pg_advisory_lock(1)", "select PG_TRY_ADVISORY_LOCK(1)", "SELECT pg_advisory_unlock_all()",
            "SELECT pg_advisory_lock_shared(7)",
        ] {
            #expect(TransactionPoolerGuard.refusal(of: text) != nil, "\(text)")
        }
    }

    @Test func transactionScopedStatementsPass() {
        for text in [
            "SELECT 1", "SET LOCAL statement_timeout = 5", "set local TimeZone = 'UTC'",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET CONSTRAINTS ALL DEFERRED",
            "DECLARE tusk_stream_1 NO SCROLL CURSOR FOR SELECT * FROM t", "SELECT pg_advisory_xact_lock(1)",
            "SELECT pg_try_advisory_xact_lock(1)", "INSERT INTO settings (name) VALUES ('x')", "NOTIFY jobs",
            "SELECT * FROM listeners", "UPDATE t SET reset = true", "SETUP", "",
        ] {
            #expect(TransactionPoolerGuard.refusal(of: text) == nil, "\(text)")
        }
    }

    @Test func aTransactionModeConfigurationSendsNoStartupOptions() throws {
        var configuration = try ConnectionConfiguration(url: "postgres://app@127.0.0.1:6432/app")
        #expect(configuration.libpqParameters.contains { $0.0 == "options" }, "TimeZone=UTC travels as options by default")
        configuration.pooler = .transactionMode
        #expect(!configuration.libpqParameters.contains { $0.0 == "options" })
        try configuration.checkPoolerCompatibility()
    }

    @Test func customSettingsThroughATransactionModePoolerAreRefused() throws {
        var configuration = try ConnectionConfiguration(url: "postgres://app@127.0.0.1:6432/app")
        configuration.pooler = .transactionMode
        configuration.settings["search_path"] = "app"
        let error = try #require(throws: ConnectionError.self) { try configuration.checkPoolerCompatibility() }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("search_path"))
        configuration.settings = [:]
        configuration.parameters["options"] = "-c work_mem=64MB"
        #expect(throws: ConnectionError.self) { try configuration.checkPoolerCompatibility() }
        configuration.pooler = .none
        try configuration.checkPoolerCompatibility()
    }
}
