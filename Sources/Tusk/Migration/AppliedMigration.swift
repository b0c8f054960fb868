#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A migration the database records as applied: one row of the migrator's table.
public struct AppliedMigration: Sendable, Equatable, CustomStringConvertible {
    /// The migration's version.
    public var version: Int
    /// The migration's name when it was applied.
    public var name: String
    /// The checksum recorded when it was applied (see ``Migration/checksum``).
    public var checksum: String
    /// When it was applied: the server's clock as its row was written, just before the commit.
    public var appliedAt: Date
    /// How long the migration's own work took, measured by the client (the wait for the lock
    /// and the recording are not counted).
    public var executionTime: Duration

    /// Creates a record.
    public init(version: Int, name: String, checksum: String, appliedAt: Date, executionTime: Duration) {
        self.version = version
        self.name = name
        self.checksum = checksum
        self.appliedAt = appliedAt
        self.executionTime = executionTime
    }

    /// `3 add_tags`.
    public var description: String { "\(version) \(name)" }
}
