import Foundation
import TuskModel

/// The reference table of every insert, upsert, point-select and stream workload. Keep its shape
/// and row formula exactly: results stay comparable across versions only if the rows are the same.
struct BenchUser: Codable, Sendable, Equatable {
    var id: Int64
    var uid: UUID
    var email: String
    var name: String
    var age: Int32
    var score: Double
    var active: Bool
    var createdAt: Date

    /// Row `i`: (i, a UUID derived from i, 'user<i>@example.com', 'Name <i>', i % 90, i * 0.5,
    /// i even, '2024-01-01 00:00:00+00' + i seconds).
    static func row(_ i: Int64) -> BenchUser {
        BenchUser(id: i, uid: uuid(i), email: "user\(i)@example.com", name: "Name \(i)", age: Int32(i % 90),
                  score: Double(i) * 0.5, active: i % 2 == 0, createdAt: Date(timeIntervalSince1970: 1_704_067_200 + Double(i)))
    }

    /// 00000000-0000-4000-8000-<i as 12 hex digits>: deterministic, and the server can compute
    /// the same value (`reference.serverInsertSelect`).
    static func uuid(_ i: Int64) -> UUID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            for index in 0..<6 {
                raw[10 + index] = UInt8(truncatingIfNeeded: i >> (8 * (5 - index)))
            }
        }
        return UUID(uuid: bytes)
    }

    static let createTable: SQL = """
        CREATE TABLE IF NOT EXISTS bench_users (
            id bigint PRIMARY KEY, uid uuid NOT NULL, email text NOT NULL UNIQUE, name text NOT NULL,
            age int NOT NULL, score double precision NOT NULL, active boolean NOT NULL,
            created_at timestamptz NOT NULL
        ) WITH (autovacuum_enabled = off)
        """

    /// The server-side formula for rows `from…to`, used by the no-client references.
    static func serverRows(from: Int, to: Int, scoreFactor: Double = 0.5) -> String {
        """
        SELECT g, ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'user' || g || '@example.com',
               'Name ' || g, (g % 90)::int, g * \(scoreFactor), g % 2 = 0,
               '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second'
        FROM generate_series(\(from), \(to)) g
        """
    }
}

/// The reference table as a `@Model` model: the same columns as ``BenchUser``, read by position
/// and written column by column instead of through `Codable`.
@Model(table: "bench_users")
struct BenchUserModel: Equatable {
    @ID var id: Int64
    var uid: UUID
    var email: String
    var name: String
    var age: Int32
    var score: Double
    var active: Bool
    var createdAt: Date
}

extension BenchContext {
    /// Creates (if needed) and empties the reference table.
    func resetUsers() async throws {
        let connection = try await connect()
        try await connection.execute(BenchUser.createTable)
        try await connection.execute("TRUNCATE bench_users")
        await connection.close()
    }

    /// Fills the reference table with rows 1…count on the server (fast, no client).
    func loadUsers(count: Int) async throws {
        try await resetUsers()
        try await psql("INSERT INTO bench_users \(BenchUser.serverRows(from: 1, to: count))")
        try await psql("VACUUM ANALYZE bench_users")
    }

    func dropBenchTables() async throws {
        let connection = try await connect()
        try await connection.execute("DROP TABLE IF EXISTS bench_users, bench_wide")
        await connection.close()
    }
}
