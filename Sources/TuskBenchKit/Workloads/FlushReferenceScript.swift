import Foundation

/// `reference.flushServerOnly`: the set-based statements a pipelined flush of the flush workload
/// sends (the `unnest` INSERT, `UPDATE … FROM unnest`, `DELETE … USING unnest`, in the flush's
/// own shapes), with the rows as array literals, in one transaction, as a `psql -f` script written
/// before timing. psql's `\timing` reports each statement's time from send to result, so their
/// sum is the server's work plus one round trip per statement, without psql's start-up and
/// connect.
enum FlushReferenceScript {
    static let columns = ["id", "uid", "email", "name", "age", "score", "active", "created_at"]
    static let arrayTypes = ["bigint[]", "uuid[]", "text[]", "text[]", "integer[]", "double precision[]", "boolean[]", "timestamptz[]"]

    /// The script for these inserts, updates and deletes (deletes by id).
    static func script(inserts: [BenchUser], updates: [BenchUser], deletes: [Int64]) -> String {
        let aliases = (1...columns.count).map { "c\($0)" }
        let insert = """
            INSERT INTO bench_users (\(columns.joined(separator: ", "))) SELECT \(aliases.map { "u.\($0)" }.joined(separator: ", ")) \
            FROM unnest(\(arrays(inserts))) WITH ORDINALITY AS u(\(aliases.joined(separator: ", ")), tusk_ordinality) \
            ORDER BY u.tusk_ordinality RETURNING *;
            """
        let assignments = zip(columns, aliases).dropFirst().map { "\($0) = s.\($1)" }.joined(separator: ", ")
        let update = """
            UPDATE bench_users AS tusk_target SET \(assignments) \
            FROM unnest(\(arrays(updates))) WITH ORDINALITY AS s(\(aliases.joined(separator: ", ")), tusk_ordinality) \
            WHERE tusk_target.id = s.c1 RETURNING s.tusk_ordinality, tusk_target.*;
            """
        let delete = """
            DELETE FROM bench_users AS tusk_target USING unnest('{\(deletes.map(String.init).joined(separator: ","))}'::bigint[]) AS s(c1) \
            WHERE tusk_target.id = s.c1;
            """
        return ["\\timing on", "BEGIN;", insert, update, delete, "COMMIT;", ""].joined(separator: "\n")
    }

    /// The sum of the `Time: … ms` lines psql's `\timing` printed, in seconds.
    static func totalSeconds(fromTimingOutput output: String) throws -> Double {
        let times = output.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("Time: ") else { return nil }
            return Double(line.dropFirst(6).prefix { $0.isNumber || $0 == "." })
        }
        guard times.count == 5 else { throw BenchError("expected 5 timed statements from psql, got \(times.count): \(output)") }
        return times.reduce(0, +) / 1_000
    }

    /// One array literal per column, column-major, each cast to its column's array type.
    private static func arrays(_ users: [BenchUser]) -> String {
        let formatter = ISO8601DateFormatter()
        let cells: [(BenchUser) -> String] = [
            { String($0.id) }, { $0.uid.uuidString }, { "\"\($0.email)\"" }, { "\"\($0.name)\"" },
            { String($0.age) }, { String($0.score) }, { $0.active ? "t" : "f" }, { formatter.string(from: $0.createdAt) },
        ]
        return zip(cells, arrayTypes).map { cell, type in
            "'{\(users.map(cell).joined(separator: ","))}'::\(type)"
        }.joined(separator: ", ")
    }
}
