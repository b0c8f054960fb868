import Foundation
import Testing
import TuskModel

/// Every codec type through both model paths against the real server: what the `Codable` model
/// writes the `@Model` model reads back equal, and the other way round, through single-row
/// writes, binary COPY, single updates, the flush, and reads by query, cursor and COPY export.
/// (Array columns cannot travel through `unnest`, so the set-based upserts and updates are covered
/// by `DeclaredColumnsTests`.)
@Suite struct ModelCodecRoundTripTests {
    enum Mood: String, Codable, Sendable, Equatable { case calm, busy }
    struct Meta: Codable, Sendable, Equatable { var tags: [String]; var depth: Int }

    struct CodableRow: Model, Equatable {
        static let tableName = "codec_rows"
        static let serverGenerated: Set<String> = []
        var id: Int64
        var small: Int16
        var medium: Int32
        var big: Int64
        var native: Int
        var single: Float
        var double: Double
        var text: String
        var bytes: Data
        var uid: UUID
        var flag: Bool
        var at: Date
        var amount: Decimal
        var words: [String]
        var numbers: [Int64]
        var meta: Meta
        var mood: Mood
        var note: String?
        var maybeAt: Date?
        var maybeAmount: Decimal?
    }

    @Model(table: "codec_rows")
    struct DeclaredRow: Equatable {
        @ID var id: Int64
        var small: Int16
        var medium: Int32
        var big: Int64
        var native: Int
        var single: Float
        var double: Double
        var text: String
        var bytes: Data
        var uid: UUID
        var flag: Bool
        var at: Date
        var amount: Decimal
        var words: [String]
        var numbers: [Int64]
        @JSON var meta: Meta
        var mood: Mood
        var note: String?
        var maybeAt: Date?
        var maybeAmount: Decimal?
    }

    static let create: SQL = """
        CREATE TABLE codec_rows (
            id bigint PRIMARY KEY, small smallint NOT NULL, medium int NOT NULL, big bigint NOT NULL, native bigint NOT NULL,
            single real NOT NULL, double double precision NOT NULL, text text NOT NULL, bytes bytea NOT NULL,
            uid uuid NOT NULL, flag boolean NOT NULL, at timestamptz NOT NULL, amount numeric NOT NULL,
            words text[] NOT NULL, numbers bigint[] NOT NULL, meta jsonb NOT NULL, mood text NOT NULL,
            note text, maybe_at timestamptz, maybe_amount numeric)
        """

    static func row(_ id: Int64) -> CodableRow {
        let edge = id % 2 == 0
        return CodableRow(
            id: id, small: edge ? .min : 7, medium: edge ? .max : -3, big: edge ? .min : 1 << 40, native: edge ? .max : 0,
            single: edge ? -0.5 : 3.25, double: edge ? .greatestFiniteMagnitude : -1e-300,
            text: edge ? "" : "emoji 🐘 \"quoted\" \\ back", bytes: edge ? Data() : Data([0, 1, 0xFF, 0]),
            uid: UUID(), flag: edge, at: Date(timeIntervalSince1970: edge ? -86_400 * 365 * 30 : 1_700_000_000.123456),
            amount: Decimal(string: edge ? "-12345678901234567890123.4567" : "0.19") ?? 0,
            words: edge ? [] : ["a", "", "c,d"], numbers: edge ? [.min, .max] : [],
            meta: Meta(tags: edge ? [] : ["x"], depth: Int(id)), mood: edge ? .busy : .calm,
            note: edge ? nil : "n", maybeAt: edge ? nil : Date(timeIntervalSince1970: 0), maybeAmount: edge ? nil : Decimal(1))
    }

    static func declared(_ row: CodableRow) -> DeclaredRow {
        DeclaredRow(id: row.id, small: row.small, medium: row.medium, big: row.big, native: row.native, single: row.single,
                    double: row.double, text: row.text, bytes: row.bytes, uid: row.uid, flag: row.flag, at: row.at,
                    amount: row.amount, words: row.words, numbers: row.numbers, meta: row.meta, mood: row.mood,
                    note: row.note, maybeAt: row.maybeAt, maybeAmount: row.maybeAmount)
    }

    func withRows(_ body: (ConnectionPool) async throws -> Void) async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { try await $0.execute(Self.create) }
            try await body(pool)
        }
    }

    /// Every row as each path reads it, by id.
    func readAll(_ pool: ConnectionPool) async throws -> (codable: [[CodableRow]], declared: [[DeclaredRow]]) {
        try await pool.withSession { session in
            let codable = session.repository(CodableRow.self)
            let declared = session.repository(DeclaredRow.self)
            var codableReads = [try await codable.list(orderBy: [.asc(\.id)])]
            var declaredReads = [try await declared.list(orderBy: [.asc(\.id)])]
            var exported: [DeclaredRow] = []
            for try await row in try declared.export(orderBy: [.asc(\.id)]) { exported.append(row) }
            declaredReads.append(exported)
            var streamed: [CodableRow] = []
            for try await row in try codable.stream(orderBy: [.asc(\.id)], batchSize: 3) { streamed.append(row) }
            codableReads.append(streamed)
            declaredReads.append(try await session.query("SELECT * FROM codec_rows ORDER BY id").decode(DeclaredRow.self))
            return (codableReads, declaredReads)
        }
    }

    @Test func whatOnePathWritesTheOtherReadsBackEqual() async throws {
        try await withRows { pool in
            let originals = (1...8).map(Self.row)
            try await pool.withSession { session in
                let codable = session.repository(CodableRow.self)
                let declared = session.repository(DeclaredRow.self)
                try await codable.add(originals[0])                                  // one INSERT, Codable
                try await declared.add(Self.declared(originals[1]))                  // one INSERT, @Model
                try await codable.addMany(originals[2...3])                          // binary COPY, Codable
                try await declared.addMany(originals[4...5].map(Self.declared))      // binary COPY, @Model
                try await declared.add(Self.declared(originals[6]))
                _ = session.add(Self.declared(originals[7]))                         // the flush
                try await session.flush()
            }
            let (codableReads, declaredReads) = try await readAll(pool)
            for read in codableReads { #expect(read == originals) }
            for read in declaredReads { #expect(read == originals.map(Self.declared)) }
        }
    }

    @Test func updatesThroughEitherPathKeepEveryValue() async throws {
        try await withRows { pool in
            let originals = (1...4).map(Self.row)
            try await pool.autocommit.repository(DeclaredRow.self).addMany(originals.map(Self.declared))
            let changed = originals.map { row -> CodableRow in
                var row = row
                row.text += "!"
                row.note = row.note == nil ? "set" : nil
                row.numbers.append(42)
                return row
            }
            try await pool.withSession { session in
                for row in changed[0...1] { try await session.repository(DeclaredRow.self).update(Self.declared(row)) }
                for row in changed[2...3] { try await session.repository(CodableRow.self).update(row) }
            }
            let (codableReads, declaredReads) = try await readAll(pool)
            for read in codableReads { #expect(read == changed) }
            for read in declaredReads { #expect(read == changed.map(Self.declared)) }
        }
    }
}
