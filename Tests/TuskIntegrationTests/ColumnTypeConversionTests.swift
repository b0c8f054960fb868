import Foundation
import Testing
import Tusk

/// Every codec type into every column type it converts to, through every bulk path, compared
/// with what `add()` (bound parameters, the server's assignment casts) stores in a twin table:
/// `SELECT t::text` of both tables must be equal, row for row.
@Suite struct ColumnTypeConversionTests {
    struct Integers<I: FixedWidthInteger & Codable & Sendable>: MatrixValues {
        var i2: I?, i4: I?, i8: I?, num: I?, f4: I?, f8: I?
        static var null: Self { Self(nil) }
        init(_ value: I?) { (i2, i4, i8, num, f4, f8) = (value, value, value, value, value, value) }
    }

    struct WideIntegers<I: FixedWidthInteger & Codable & Sendable>: MatrixValues {
        var i4: I?, i8: I?, num: I?, f4: I?, f8: I?
        static var null: Self { Self(nil) }
        init(_ value: I?) { (i4, i8, num, f4, f8) = (value, value, value, value, value) }
    }

    struct HugeIntegers<I: FixedWidthInteger & Codable & Sendable>: MatrixValues {
        var i8: I?, num: I?, f4: I?, f8: I?
        static var null: Self { Self(nil) }
        init(_ value: I?) { (i8, num, f4, f8) = (value, value, value, value) }
    }

    static let integerColumns = "i2 int2, i4 int4, i8 int8, num numeric, f4 float4, f8 float8"
    static let wideColumns = "i4 int4, i8 int8, num numeric, f4 float4, f8 float8"
    static let hugeColumns = "i8 int8, num numeric, f4 float4, f8 float8"

    func integers<I: FixedWidthInteger & Codable & Sendable>(_ type: I.Type) async throws {
        let small: [I?] = [0, 1, -1, 127, -128, I(12_345), I(Int16.max), I(Int16.min), nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: Self.integerColumns, values: small.map(Integers.init))
        }
        guard I.bitWidth >= 32 else { return }
        let wide: [I?] = [I(Int32.max), I(Int32.min), I(16_777_217), I(100_000_000), I(-2_147_483_000), nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: Self.wideColumns, values: wide.map(WideIntegers.init))
        }
        guard I.bitWidth >= 64 else { return }
        let huge: [I?] = [I.max, I.min, I(9_007_199_254_740_993), I(-999_999_999_999_999), I(10_000_000_000_000_000), nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: Self.hugeColumns, values: huge.map(HugeIntegers.init))
        }
    }

    @Test func intIntoIntegerNumericAndFloatColumns() async throws { try await integers(Int.self) }
    @Test func int16IntoIntegerNumericAndFloatColumns() async throws { try await integers(Int16.self) }
    @Test func int32IntoIntegerNumericAndFloatColumns() async throws { try await integers(Int32.self) }
    @Test func int64IntoIntegerNumericAndFloatColumns() async throws { try await integers(Int64.self) }

    struct Floats<F: BinaryFloatingPoint & Codable & Sendable>: MatrixValues {
        var f4: F?, f8: F?, num: F?, i2: F?, i4: F?, i8: F?
        static var null: Self { Self(nil) }
        init(_ value: F?) { (f4, f8, num, i2, i4, i8) = (value, value, value, value, value, value) }
    }

    struct SpecialFloats<F: BinaryFloatingPoint & Codable & Sendable>: MatrixValues {
        var f4: F?, f8: F?, num: F?
        static var null: Self { Self(nil) }
        init(_ value: F?) { (f4, f8, num) = (value, value, value) }
    }

    struct WideDoubles: MatrixValues {
        var f8: Double?, num: Double?
        static var null: Self { Self(nil) }
        init(_ value: Double?) { (f8, num) = (value, value) }
    }

    @Test func doubleIntoFloatNumericAndIntegerColumns() async throws {
        let values: [Double?] = [0, 0.1, 1.5, 2.5, -2.5, 3.5, 12_345.678, 1e-7, -0.0, 32_767.4, -32_768.49, 1.0 / 3.0, nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "f4 float4, f8 float8, num numeric, i2 int2, i4 int4, i8 int8",
                                              values: values.map(Floats.init))
        }
        let specials: [Double?] = [.nan, .infinity, -.infinity, 3.4e38, 1e-40, 123_456_789.123456789, .ulpOfOne, nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "f4 float4, f8 float8, num numeric", values: specials.map(SpecialFloats.init))
        }
        let wide: [Double?] = [1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e20, nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "f8 float8, num numeric", values: wide.map(WideDoubles.init))
        }
    }

    @Test func floatIntoFloatNumericAndIntegerColumns() async throws {
        let values: [Float?] = [0, 0.1, 1.5, 2.5, -2.5, 1_234.5, 123.456, 1e-7, -0.0, 32_767.4, nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "f4 float4, f8 float8, num numeric, i2 int2, i4 int4, i8 int8",
                                              values: values.map(Floats.init))
        }
        let specials: [Float?] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNormalMagnitude / 128, 3.4e38, 16_777_216, nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "f4 float4, f8 float8, num numeric", values: specials.map(SpecialFloats.init))
        }
    }

    struct Decimals: MatrixValues {
        var num: Decimal?, scaled: Decimal?, i4: Decimal?, f4: Decimal?, f8: Decimal?
        static var null: Self { Self(nil) }
        init(_ value: Decimal?) { (num, scaled, i4, f4, f8) = (value, value, value, value, value) }
    }

    struct WideDecimals: MatrixValues {
        var num: Decimal?, f8: Decimal?
        static var null: Self { Self(nil) }
        init(_ value: Decimal?) { (num, f8) = (value, value) }
    }

    @Test func decimalIntoNumericIntegerAndFloatColumns() async throws {
        let values = ["0", "12.34", "-0.005", "2.5", "-2.5", "1234567.891", "0.1", "-7", "100.50"].map { Decimal(string: $0) } + [nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "num numeric, scaled numeric(12,2), i4 int4, f4 float4, f8 float8",
                                              values: values.map(Decimals.init))
        }
        let wide = ["12345678901234567890.123456789", "-0.000000000000000000000000000001", "1e30", "99999999999999999999999999999999999999"]
            .map { Decimal(string: $0) } + [nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "num numeric, f8 float8", values: wide.map(WideDecimals.init))
        }
    }

    struct Dates: MatrixValues {
        var tstz: Date?, ts: Date?, d: Date?
        static var null: Self { Self(nil) }
        init(_ value: Date?) { (tstz, ts, d) = (value, value, value) }
    }

    static let dates: [Date?] = [
        "2000-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1900-03-01T12:34:56Z", "1600-02-29T00:00:00Z",
        "0001-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "9999-12-31T23:59:59Z", "2038-01-19T03:14:08Z",
    ].map { try? Date($0, strategy: .iso8601) } + [
        Date(timeIntervalSince1970: 946_684_799.999999), Date(timeIntervalSince1970: 946_684_800.000001),
        Date(timeIntervalSince1970: -0.5), Date(timeIntervalSince1970: -86_400.25), Date(timeIntervalSince1970: 1_700_000_000.123456),
        Date(timeIntervalSinceReferenceDate: -0.000001), nil,
    ]

    @Test func dateIntoTimestamptzTimestampAndDateColumns() async throws {
        #expect(Self.dates.dropLast().allSatisfy { $0 != nil })
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "tstz timestamptz, ts timestamp, d date", values: Self.dates.map(Dates.init))
        }
    }

    @Test func dateIntoTimestampAndDateInANonUTCSessionIsLeftToTheServerOnUnnestPaths() async throws {
        try await TestDatabase.withPool(settings: ["TimeZone": "America/New_York"]) { pool, _ in
            #expect(try await pool.withConnection { await $0.parameterStatus("TimeZone") } == "America/New_York")
            try await ConversionMatrix.verify(pool, columns: "tstz timestamptz, ts timestamp, d date", values: Self.dates.map(Dates.init),
                                              paths: BulkPath.unnest + BulkPath.flush)
        }
    }

    struct Texts: MatrixValues {
        var t: String?, v: String?, b: String?, n: String?
        static var null: Self { Self(nil) }
        init(_ value: String?) { (t, v, b, n) = (value, value, value, value) }
    }

    @Test func stringIntoTextVarcharBpcharAndName() async throws {
        let values: [String?] = ["", "héllo", "trailing  ", "it's \"q\"", "🐘", "a\tb", "x", String(repeating: "é", count: 6), nil]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "t text, v varchar(12), b bpchar(12), n name", values: values.map(Texts.init))
        }
    }

    struct Citexts: MatrixValues {
        var t: String?, c: String?
        static var null: Self { Self(nil) }
        init(_ value: String?) { (t, c) = (value, value) }
    }

    @Test func stringIntoCitextWhenTheExtensionIsAvailable() async throws {
        try await TestDatabase.withPool { pool, _ in
            let schema = try await TestDatabase.installedCitextSchema(pool)
            guard let schema else { return }  // citext is not installed on this server: nothing to test
            try await ConversionMatrix.verify(pool, columns: "t text, c \"\(schema)\".citext",
                                              values: ["Ada", "ÉCOLE", "", nil].map(Citexts.init))
        }
    }

    struct EnumTexts: MatrixValues {
        var e: String?, t: String?
        static var null: Self { Self(nil) }
        init(_ value: String?) { (e, t) = (value, value) }
    }

    struct InferredEnumTexts: MatrixValues {
        var e: Inferred?, t: Inferred?
        static var null: Self { Self(e: nil, t: nil) }
    }

    @Test func stringIntoAnEnumColumn() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { try await $0.execute("CREATE TYPE mood AS ENUM ('happy', 'sad', 'so-so')") }
            // add() of a String (bound as text) into an enum column is refused by the server
            // (42804), so the twin is filled from text the server infers, as String-backed enums send.
            try await ConversionMatrix.verify(pool, columns: "e mood, t text", values: ["happy", "sad", "so-so", nil].map(EnumTexts.init),
                                              reference: { InferredEnumTexts(e: Inferred($0.e), t: Inferred($0.t)) })
        }
    }

    struct JSONTexts: MatrixValues {
        var j: String?, jb: String?, t: String?
        static var null: Self { Self(nil) }
        init(_ value: String?) { (j, jb, t) = (value, value, value) }
    }

    /// JSON text bound as `json`.
    struct JSONText: PostgresEncodable, Codable, Sendable {
        var text: String
        init?(_ text: String?) {
            guard let text else { return nil }
            self.text = text
        }
        init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }
        static var postgresType: PostgresDataType { .json }
        func encode(into buffer: inout PostgresEncodingBuffer) throws { try text.encode(into: &buffer) }
    }

    struct JSONReference: MatrixValues {
        var j: JSONText?, jb: JSONText?, t: String?
        static var null: Self { Self(j: nil, jb: nil, t: nil) }
    }

    @Test func stringIntoJsonAndJsonb() async throws {
        let values: [String?] = [#"{"b": 2, "a": [1, 2.50]}"#, "[]", #""x""#, "null", #"  {"k":"v", "k":"w"}  "#, "1e2", nil]
        try await TestDatabase.withPool { pool, _ in
            // add() of a String (bound as text) into json or jsonb is refused by the server (42804);
            // the twin gets the same text bound as json, which the server casts to jsonb.
            try await ConversionMatrix.verify(pool, columns: "j json, jb jsonb, t text", values: values.map(JSONTexts.init),
                                              reference: { JSONReference(j: JSONText($0.j), jb: JSONText($0.jb), t: $0.t) })
        }
    }

    struct Scalars: MatrixValues {
        var flag: Bool?, key: UUID?, blob: Data?
        static var null: Self { Self(flag: nil, key: nil, blob: nil) }
    }

    @Test func boolUUIDAndDataIntoTheirColumns() async throws {
        let values = [
            Scalars(flag: true, key: UUID(), blob: Data([0, 1, 0xFF])), Scalars(flag: false, key: UUID(), blob: Data()),
            Scalars(flag: nil, key: nil, blob: nil), Scalars(flag: true, key: UUID(uuidString: "00000000-0000-0000-0000-000000000000"),
                                                            blob: Data(repeating: 7, count: 100_000)),
        ]
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "flag bool, key uuid, blob bytea", values: values)
        }
    }

    struct Payload: Codable, Sendable, Equatable {
        var name: String
        var tags: [String]
        var score: Double
    }

    struct Documents: MatrixValues {
        var jb: Payload?, j: Payload?
        static var null: Self { Self(nil) }
        init(_ value: Payload?) { (jb, j) = (value, value) }
    }

    @Test func codableStructIntoJsonbAndJson() async throws {
        let values: [Payload?] = [Payload(name: "a", tags: ["x", "y"], score: 1.5), Payload(name: "é\"", tags: [], score: -0.25), nil]
        try await TestDatabase.withPool { pool, _ in
            // A json column keeps the JSON text as Tusk encoded it (the version byte dropped), where
            // add()'s cast from jsonb stores jsonb's normal form: the same JSON, compared as jsonb.
            try await ConversionMatrix.verify(pool, columns: "jb jsonb, j json", values: values.map(Documents.init),
                                              select: "ROW(t.jb, t.j::jsonb)::text")
            let stored = try await pool.withConnection {
                try await $0.query("SELECT j::text FROM bulk WHERE id = \(Int64(1_000))")[0].decode(String.self, at: 0)
            }
            #expect(try JSONDecoder().decode(Payload.self, from: Data(stored.utf8)) == values[0], "the json column holds the text as encoded")
            #expect(!stored.contains(" "), "not jsonb's normal form")
        }
    }

    enum Mood: String, Codable, Sendable { case happy, sad }
    enum CodableMood: String, Codable, Sendable, PostgresCodable { case happy, sad }

    struct SwiftEnums: MatrixValues {
        var e: Mood?, t: Mood?, p: CodableMood?
        static var null: Self { Self(e: nil, t: nil, p: nil) }
    }

    @Test func stringBackedSwiftEnumIntoAnEnumAndATextColumn() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.withConnection { try await $0.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')") }
            try await ConversionMatrix.verify(pool, columns: "e mood, t text, p mood", values: [
                SwiftEnums(e: .happy, t: .sad, p: .sad), SwiftEnums(e: .sad, t: .happy, p: .happy), SwiftEnums.null,
            ])
        }
    }

    struct Arrays: MatrixValues {
        var a2: [Int]?, a4: [Int64?]?, a8: [Int64]?, t: [String]?, v: [String]?
        static var null: Self { Self(a2: nil, a4: nil, a8: nil, t: nil, v: nil) }
    }

    static let arrays = [
        Arrays(a2: [1, -2, 32_767], a4: [1, nil, -3], a8: [Int64.max, 0], t: ["a", "", "é"], v: ["x"]),
        Arrays(a2: [], a4: [], a8: [], t: [], v: []), Arrays.null,
    ]

    @Test func arraysIntoArrayColumnsThroughCopyAndFlush() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await ConversionMatrix.verify(pool, columns: "a2 int2[], a4 int4[], a8 int8[], t text[], v varchar[]", values: Self.arrays,
                                              paths: [.copySequence, .copyAsyncSequence] + BulkPath.flush)
        }
    }

    @Test func arrayColumnsAreRefusedOnUnnestPathsBeforeSending() async throws {
        try await TestDatabase.withPool { pool, schema in
            try await pool.withConnection { try await $0.execute("CREATE TABLE bulk (id int8 PRIMARY KEY, a2 int2[], a4 int4[], a8 int8[], t text[], v varchar[])") }
            for path in BulkPath.unnest {
                let error = await #expect(throws: PostgresEncodingError.self, "\(path)") {
                    try await ConversionMatrix.write(Self.arrays, firstID: Int64(path.rawValue) * 1_000, through: path, pool: pool)
                }
                #expect(error?.code == .unsupportedValue, "\(path)")
                #expect(error?.column == "a2", "\(path)")
                #expect(error?.message.contains("arrays of arrays") == true, "\(path)")
            }
            #expect(try await TestDatabase.count("bulk", in: schema, where: "a2 IS NOT NULL OR t IS NOT NULL") == 0,
                    "only the update paths' placeholders are there")
        }
    }
}
