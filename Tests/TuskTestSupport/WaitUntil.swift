import Foundation

/// The condition of ``waitUntil(timeout:_:)`` did not hold in time.
public struct WaitTimeout: Error, CustomStringConvertible {
    /// How long it was waited for.
    public let timeout: Duration
    /// Where the wait was.
    public let location: String

    /// `condition not met within 10 seconds at File.swift:12`.
    public var description: String { "condition not met within \(timeout) at \(location)" }
}

/// Waits until `condition` holds, checking it every 20 ms; throws ``WaitTimeout`` when it still
/// does not hold after `timeout`, so the test stops there instead of carrying on with a false
/// premise.
///
/// It waits for an observable event (a count, a server state), never for time to pass: the
/// timeout is only the bound after which the event is declared missing.
public func waitUntil(
    timeout: Duration = .seconds(30),
    fileID: String = #fileID, line: Int = #line,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw WaitTimeout(timeout: timeout, location: "\(fileID):\(line)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
