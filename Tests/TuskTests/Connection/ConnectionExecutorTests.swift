#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Tusk

@Suite struct ConnectionExecutorTests {
    @Test func aThreadThatCannotStartIsAThrownErrorNotACrash() {
        let error = #expect(throws: ConnectionError.self) {
            _ = try ConnectionExecutor(name: "tusk-test", spawnThread: { _, _, _ in EAGAIN })
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.message.contains("thread") == true)
    }

    @Test func theSystemSpawnerStartsAThreadThatRunsJobs() async throws {
        let executor = try ConnectionExecutor(name: "tusk-test")
        let ran = await withTaskExecutorPreference(executor.taskExecutor) { 42 }
        #expect(ran == 42)
    }
}
