import Foundation
import Testing
import Tusk

/// Every codec through the real server, with edge values; the server checks what it received.
@Suite struct CodecRoundTripTests {
    /// Sends `value` as `$1::type`, reads it back, and asks the server whether it equals
    /// `literal` (parsed by the server itself).
    func check<T: PostgresCodable>(_ value: T, as type: String, equals literal: String? = nil,
                                   on connection: Connection) async throws -> T {
        let echo = try await connection.query("SELECT \(value)::\(unsafeRaw: type)")
        if let literal {
            let same = try await connection.query("SELECT \(value)::\(unsafeRaw: type) IS NOT DISTINCT FROM \(unsafeRaw: literal)::\(unsafeRaw: type)")
            #expect(try same[0].decode(Bool.self, at: 0), "server saw a different \(type) than \(literal)")
        }
        return try echo[0].decode(T.self, at: 0)
    }

    @Test func integers() async throws {
        let connection = try await TestDatabase.connect()
        #expect(try await check(Int64.min, as: "int8", equals: "'-9223372036854775808'", on: connection) == .min)
        #expect(try await check(Int64.max, as: "int8", equals: "'9223372036854775807'", on: connection) == .max)
        #expect(try await check(Int32.min, as: "int4", equals: "'-2147483648'", on: connection) == .min)
        #expect(try await check(Int16.max, as: "int2", equals: "'32767'", on: connection) == .max)
        #expect(try await check(Int.min, as: "int8", on: connection) == .min)
        await connection.close()
    }

    @Test func floats() async throws {
        let connection = try await TestDatabase.connect()
        #expect(try await check(Double.nan, as: "float8", equals: "'NaN'", on: connection).isNaN)
        #expect(try await check(Double.infinity, as: "float8", equals: "'Infinity'", on: connection) == .infinity)
        #expect(try await check(-Double.infinity, as: "float8", equals: "'-Infinity'", on: connection) == -.infinity)
        #expect(try await check(-0.0, as: "float8", on: connection).sign == .minus)
        #expect(try await check(Double.greatestFiniteMagnitude, as: "float8", on: connection) == .greatestFiniteMagnitude)
        #expect(try await check(Float(3.25), as: "float4", equals: "'3.25'", on: connection) == 3.25)
        await connection.close()
    }

    @Test func text() async throws {
        let connection = try await TestDatabase.connect()
        #expect(try await check("", as: "text", equals: "''", on: connection) == "")
        #expect(try await check("emoji 🐘👩‍👩‍👧", as: "text", equals: "'emoji 🐘👩‍👩‍👧'", on: connection) == "emoji 🐘👩‍👩‍👧")
        let big = String(repeating: "abcdefgh", count: 131_072)  // 1 MiB
        #expect(try await check(big, as: "text", on: connection) == big)
        let length = try await connection.query("SELECT octet_length(\(big))")
        #expect(try length[0].decode(Int.self, at: 0) == 1 << 20)
        #expect(try await check("varchar", as: "varchar(20)", on: connection) == "varchar")
        await connection.close()
    }

    @Test func stringWithNULIsAClearErrorNotATruncation() async throws {
        let connection = try await TestDatabase.connect()
        let error = await #expect(throws: PostgresEncodingError.self) {
            try await connection.query("SELECT \("before\u{0}after")::text")
        }
        #expect(error?.code == .nulInText)
        // Nothing was sent: the connection is still fine.
        #expect(try await connection.query("SELECT 1")[0].decode(Int32.self, at: 0) == 1)
        await connection.close()
    }

    @Test func bytea() async throws {
        let connection = try await TestDatabase.connect()
        let small: [UInt8] = [0, 1, 0x27, 0x5C, 255]
        #expect(try await check(small, as: "bytea", equals: "'\\x0001275cff'", on: connection) == small)
        // 16 MiB: 1 MiB of random bytes, tiled, each tile stamped with its number.
        var generator = SystemRandomNumberGenerator()
        var tile = [UInt8](repeating: 0, count: 1 << 20)
        for index in stride(from: 0, to: tile.count, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { tile.replaceSubrange(index..<(index + 8), with: $0) }
        }
        var large = Data(capacity: 16 << 20)
        for number in 0..<16 {
            tile[0] = UInt8(number)
            large.append(contentsOf: tile)
        }
        let back = try await check(large, as: "bytea", on: connection)
        #expect(back == large)
        let md5 = try await connection.query("SELECT md5(\(large))")
        let expected = try await connection.query("SELECT md5(\(back))")
        #expect(try md5[0].decode(String.self, at: 0) == expected[0].decode(String.self, at: 0))
        await connection.close()
    }

    @Test func uuidAndBool() async throws {
        let connection = try await TestDatabase.connect()
        let uuid = try #require(UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
        #expect(try await check(uuid, as: "uuid", equals: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", on: connection) == uuid)
        #expect(try await check(true, as: "bool", equals: "true", on: connection) == true)
        await connection.close()
    }

    @Test func dates() async throws {
        let connection = try await TestDatabase.connect()
        // 1901-12-13 20:45:52.5 UTC and 2150-06-01 12:00:00.000001 UTC.
        let early = Date(timeIntervalSince1970: -2_147_483_647.5)
        let late = Date(timeIntervalSince1970: 5_709_182_400.000001)
        let earlyBack = try await check(early, as: "timestamptz", equals: "'1901-12-13 20:45:52.5+00'", on: connection)
        #expect(abs(earlyBack.timeIntervalSince(early)) < 0.000_001)
        let lateBack = try await check(late, as: "timestamptz", equals: "'2150-12-01 12:00:00.000001+00'", on: connection)
        #expect(abs(lateBack.timeIntervalSince(late)) < 0.000_002)
        let years = try await connection.query("SELECT extract(year FROM \(early)), extract(year FROM \(late))")
        let (earlyYear, lateYear) = try years[0].decodeColumns((Decimal, Decimal).self)
        #expect(earlyYear == 1901 && lateYear == 2150)
        let day = try await connection.query("SELECT '1969-07-20'::date, '2000-01-01 00:00'::timestamp")
        let (landing, millennium) = try day[0].decodeColumns((Date, Date).self)
        #expect(landing == Date(timeIntervalSince1970: -14_256_000))
        #expect(millennium == Date(timeIntervalSince1970: 946_684_800))
        let infinity = await #expect(throws: PostgresDecodingError.self) {
            try await connection.query("SELECT 'infinity'::timestamptz")[0].decode(Date.self, at: 0)
        }
        #expect(infinity?.code == .outOfRange)
        await connection.close()
    }

    @Test func numeric() async throws {
        let connection = try await TestDatabase.connect()
        let wide = try #require(Decimal(string: "1234567890123456789.0123456789012345678"))  // 38 digits
        #expect(try await check(wide, as: "numeric", equals: "'1234567890123456789.0123456789012345678'", on: connection) == wide)
        let negative = try #require(Decimal(string: "-0.000000000000000000000000000000000123"))
        #expect(try await check(negative, as: "numeric", equals: "'-0.000000000000000000000000000000000123'", on: connection) == negative)
        // Negative scale (PostgreSQL 15): numeric(5,-2) rounds to hundreds.
        let rounded = try await connection.query("SELECT 1234567::numeric(7,-2)")
        #expect(try rounded[0].decode(Decimal.self, at: 0) == 1_234_600)
        let big = Decimal(sign: .plus, exponent: 30, significand: 7)
        #expect(try await check(big, as: "numeric", equals: "'7e30'", on: connection) == big)
        let nan = try await connection.query("SELECT 'NaN'::numeric")
        #expect(try nan[0].decode(Decimal.self, at: 0).isNaN)
        let huge = try await connection.query("SELECT ((10::numeric ^ 50) + 0.5)::numeric(60,1)")
        #expect(throws: PostgresDecodingError.self) { try huge[0].decode(Decimal.self, at: 0) }
        #expect(try huge[0].decode(String.self, at: 0).hasSuffix("00000.5"))
        await connection.close()
    }

    @Test func arrays() async throws {
        let connection = try await TestDatabase.connect()
        let values: [Int64?] = [1, nil, Int64.max]
        #expect(try await check(values, as: "int8[]", equals: "'{1,NULL,9223372036854775807}'", on: connection) == values)
        let texts: [String?] = ["a,b", nil, "", "\"quoted\""]
        #expect(try await check(texts, as: "text[]", on: connection) == texts)
        let nullCheck = try await connection.query("SELECT (\(values))[2] IS NULL, cardinality(\(values))")
        let (isNull, cardinality) = try nullCheck[0].decodeColumns((Bool, Int32).self)
        #expect(isNull && cardinality == 3)
        #expect(try await check([UUID](), as: "uuid[]", equals: "'{}'", on: connection) == [])
        #expect(try await check([true, false], as: "bool[]", on: connection) == [true, false])
        #expect(try await check([Date(timeIntervalSince1970: 0)], as: "timestamptz[]", on: connection) == [Date(timeIntervalSince1970: 0)])
        await connection.close()
    }

    struct Document: Codable, Equatable, Sendable {
        struct Section: Codable, Equatable, Sendable { var title: String; var tags: [String]; var depth: [Int?] }
        var name: String
        var sections: [Section]
        var meta: [String: Double]
    }

    @Test func nestedJSON() async throws {
        let connection = try await TestDatabase.connect()
        let document = Document(name: "d \"1\"", sections: [.init(title: "é", tags: ["a"], depth: [1, nil])], meta: ["x": 1.5])
        let back = try await check(PostgresJSON(document), as: "jsonb", on: connection)
        #expect(back.value == document)
        let path = try await connection.query("SELECT \(PostgresJSON(document)) #>> '{sections,0,title}'")
        #expect(try path[0].decode(String.self, at: 0) == "é")
        let json = try await connection.query("SELECT \(PostgresJSON(document))::json")
        #expect(try json[0].decode(PostgresJSON<Document>.self, at: 0).value == document)
        await connection.close()
    }

    enum Mood: String, Codable, PostgresCodable, PostgresArrayElement { case happy, sad }

    @Test func enumsBindToTextAndEnumColumns() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')")
            try await connection.execute("CREATE TABLE people (name text, mood mood, mood_text text)")
            try await connection.execute("INSERT INTO people VALUES (\("ann"), \(Mood.sad), \(Mood.happy))")
            let row = try await connection.query("SELECT mood, mood_text FROM people")[0]
            let (mood, moodText) = try row.decodeColumns((Mood, Mood).self)
            #expect(mood == .sad && moodText == .happy)
            let filtered = try await connection.query("SELECT count(*) FROM people WHERE mood = \(Mood.sad)")
            #expect(try filtered[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func typeMismatchNamesColumnAndTypes() async throws {
        let connection = try await TestDatabase.connect()
        let result = try await connection.query("SELECT 42::int4 AS age")
        let error = #expect(throws: PostgresDecodingError.self) { try result[0].decode(String.self, column: "age") }
        #expect(error?.column == "age")
        #expect(error?.postgresType == .int4)
        #expect(error?.swiftType == "Swift.String")
        await connection.close()
    }

    @Test func narrowingIsCheckedByTheServer() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await connection.execute("CREATE TABLE small (v int4)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO small VALUES (\(Int64(Int32.max) + 1))")
            }
            #expect(error?.sqlState == .numericValueOutOfRange)
            #expect(try await connection.query("SELECT count(*) FROM small")[0].decode(Int.self, at: 0) == 0)
        }
    }
}
