import Foundation
import Testing
@testable import Tusk

@Suite struct ColumnEncodingTests {
    typealias Step = PostgresBinaryConversion.Step

    static let mood = PostgresDataType(rawValue: 16_390)
    static let citext = PostgresDataType(rawValue: 16_414)

    func plan(_ value: PostgresDataType, _ target: PostgresColumnType, zone: SessionTimeZone = .utc,
              path: ColumnEncoding.Path = .copy) throws -> ColumnEncoding {
        try ColumnEncoding.plan(value: value, swiftType: nil, into: target, timeZone: zone, path: path)
    }

    func step(_ value: PostgresDataType, _ target: PostgresColumnType, zone: SessionTimeZone = .utc) throws -> Step {
        let encoding = try plan(value, target, zone: zone)
        #expect(encoding.conversion.arrayElementType == nil)
        #expect(encoding.sentType == target.base.oid)
        return encoding.conversion.step
    }

    /// The value types Tusk's codecs produce, and what each becomes in each column type it is
    /// stored in; every other pair is refused.
    static let table: [(PostgresDataType, PostgresDataType, Step)] = [
        (.int8, .int2, .integer(from: .int8, to: .int2)), (.int8, .int4, .integer(from: .int8, to: .int4)), (.int8, .int8, .none),
        (.int4, .int8, .integer(from: .int4, to: .int8)), (.int2, .int4, .integer(from: .int2, to: .int4)),
        (.int8, .numeric, .integerToNumeric(from: .int8)), (.int2, .numeric, .integerToNumeric(from: .int2)),
        (.int8, .float4, .integerToFloat(from: .int8, to: .float4)), (.int4, .float8, .integerToFloat(from: .int4, to: .float8)),
        (.float8, .float4, .float(from: .float8, to: .float4)), (.float4, .float8, .float(from: .float4, to: .float8)),
        (.float8, .numeric, .floatToNumeric(from: .float8)), (.float4, .numeric, .floatToNumeric(from: .float4)),
        (.float8, .int4, .floatToInteger(from: .float8, to: .int4)), (.float4, .int8, .floatToInteger(from: .float4, to: .int8)),
        (.numeric, .numeric, .none), (.numeric, .int4, .numericToInteger(to: .int4)), (.numeric, .float8, .numericToFloat(to: .float8)),
        (.timestamptz, .timestamptz, .none), (.timestamptz, .timestamp, .none), (.timestamptz, .date, .timestampToDate),
        (.timestamp, .timestamptz, .none), (.timestamp, .date, .timestampToDate),
        (.date, .timestamp, .dateToTimestamp), (.date, .timestamptz, .dateToTimestamp),
        (.text, .text, .none), (.text, .varchar, .none), (.text, .bpchar, .none), (.text, .json, .none),
        (.text, .jsonb, .addJSONBVersion), (.text, .name, .checkNameLength), (.unspecified, .text, .none),
        (.unspecified, .jsonb, .addJSONBVersion), (.varchar, .text, .none), (.name, .text, .none),
        (.json, .jsonb, .addJSONBVersion), (.json, .text, .none), (.jsonb, .json, .dropJSONBVersion), (.jsonb, .jsonb, .none),
        (.bool, .bool, .none), (.uuid, .uuid, .none), (.bytea, .bytea, .none),
    ]

    @Test func theConversionTable() throws {
        for (value, target, expected) in Self.table {
            #expect(try step(value, column("c", target)) == expected, "\(value) into \(target)")
        }
    }

    @Test func everyOtherPairOfBuiltInsIsRefused() throws {
        let types: [PostgresDataType] = [.bool, .bytea, .char, .name, .int8, .int2, .int4, .text, .json, .float4, .float8, .bpchar,
                                         .varchar, .date, .timestamp, .timestamptz, .numeric, .uuid, .jsonb, .xml, .interval]
        let allowed = Set(Self.table.map { "\($0.0)>\($0.1)" })
        for value in types {
            for target in types where value != target && !allowed.contains("\(value)>\(target)") {
                if ColumnEncoding.isText(value), target == .varchar || target == .bpchar { continue }
                if [.varchar, .name].contains(value), [.json, .jsonb, .name, .varchar, .bpchar].contains(target) { continue }
                if value == .json, [.varchar, .bpchar].contains(target) { continue }
                if [.int2, .int4, .int8].contains(value), [.int2, .int4, .int8, .float4, .float8, .numeric].contains(target) { continue }
                if [.float4, .float8].contains(value), [.int2, .int4, .int8, .float4, .float8, .numeric].contains(target) { continue }
                if value == .numeric, [.int2, .int4, .int8, .float4, .float8].contains(target) { continue }
                let error = #expect(throws: PostgresEncodingError.self, "\(value) into \(target)") { try plan(value, column("c", target)) }
                #expect(error?.code == .typeMismatch)
            }
        }
    }

    @Test func aRefusalNamesTheColumnAndBothTypes() throws {
        let target = column("quantity", .int4, sql: "integer")
        let error = #expect(throws: PostgresEncodingError.self) {
            try ColumnEncoding.plan(value: .uuid, swiftType: UUID.self, into: target, timeZone: .utc, path: .copy)
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "quantity")
        #expect(error?.valueType == .uuid)
        #expect(error?.columnType == "integer")
        #expect(error?.message.contains("UUID (uuid)") == true)
        #expect(error?.message.contains("integer") == true)
        let bool = #expect(throws: PostgresEncodingError.self) { try plan(.bool, column("due", .date)) }
        #expect(bool?.column == "due" && bool?.valueType == .bool && bool?.columnType == "date")
    }

    @Test func textGoesIntoEnumsAndTextLikeExtensionTypes() throws {
        #expect(try step(.unspecified, column("mood", Self.mood, sql: "mood", isEnum: true)) == .none)
        #expect(try step(.text, column("mood", Self.mood, sql: "mood", isEnum: true)) == .none)
        #expect(try step(.text, column("email", Self.citext, sql: "public.citext", textReceive: true)) == .none)
        #expect(throws: PostgresEncodingError.self) { try plan(.int8, column("mood", Self.mood, isEnum: true)) }
        #expect(throws: PostgresEncodingError.self) { try plan(.json, column("mood", Self.mood, isEnum: true)) }
        #expect(throws: PostgresEncodingError.self) { try plan(.unspecified, column("n", .int4)) }
        #expect(throws: PostgresEncodingError.self) { try plan(.bpchar, column("t", .text)) }
        let enumEncoding = try plan(.unspecified, column("mood", Self.mood, sql: "mood", isEnum: true), path: .unnest)
        #expect(enumEncoding.sentType == Self.mood && enumEncoding.sentTypeSQL == "mood", "unnest arrays are of the enum type")
    }

    @Test func domainsPassThroughOrConvertToTheirBaseType() throws {
        let domain = PostgresDataType(rawValue: 16_500)
        let positive = column("p", .int4, sql: "integer", declared: domain)
        #expect(try plan(.int4, positive).conversion.isIdentity)
        #expect(try plan(domain, positive).conversion.isIdentity)
        #expect(try step(.int8, positive) == .integer(from: .int8, to: .int4))
    }

    @Test func zoneDependentConversionsAreRefusedForCopyAndLeftToTheServerForUnnest() throws {
        let newYork = SessionTimeZone(parameterStatus: "America/New_York")
        for (value, target) in [(PostgresDataType.timestamptz, PostgresDataType.timestamp), (.timestamptz, .date),
                                (.timestamp, .timestamptz), (.date, .timestamptz)] {
            let error = #expect(throws: PostgresEncodingError.self) { try plan(value, column("at", target), zone: newYork) }
            #expect(error?.code == .typeMismatch)
            #expect(error?.message.contains("America/New_York") == true)
            let unnest = try plan(value, column("at", target), zone: newYork, path: .unnest)
            #expect(unnest.conversion.isIdentity && unnest.sentType == value, "the server's cast converts")
        }
        #expect(try step(.timestamp, column("d", .date), zone: newYork) == .timestampToDate, "no zone involved")
        #expect(try step(.date, column("t", .timestamp), zone: newYork) == .dateToTimestamp)
    }

    @Test func arrayColumnsConvertTheirElementsOnCopy() throws {
        let int4s = column("a", .int4Array, sql: "integer[]", element: .int4)
        #expect(try plan(.int4Array, int4s).conversion.isIdentity)
        let narrowed = try plan(.int8Array, int4s)
        #expect(narrowed.conversion == PostgresBinaryConversion(step: .integer(from: .int8, to: .int4), arrayElementType: .int4))
        let moods = column("m", PostgresDataType(rawValue: 16_389), sql: "mood[]", element: Self.mood, elementIsEnum: true)
        #expect(try plan(.textArray, moods).conversion == PostgresBinaryConversion(step: .none, arrayElementType: Self.mood))
        let domainElements = column("p", PostgresDataType(rawValue: 16_518), sql: "posint[]", element: .int4,
                                    elementDeclared: PostgresDataType(rawValue: 16_517))
        #expect(try plan(.int4Array, domainElements).conversion.arrayElementType == PostgresDataType(rawValue: 16_517),
                "the header names the array's own element type, the domain")
        #expect(throws: PostgresEncodingError.self) { try plan(.int8, int4s) }
        #expect(throws: PostgresEncodingError.self) { try plan(.int8Array, column("n", .int8)) }
        #expect(throws: PostgresEncodingError.self) { try plan(.uuidArray, int4s) }
    }

    @Test func arrayColumnsAreRefusedOnUnnest() throws {
        let error = #expect(throws: PostgresEncodingError.self) {
            try plan(.int8Array, column("tags", .int8Array, sql: "bigint[]", element: .int8), path: .unnest)
        }
        #expect(error?.code == .unsupportedValue)
        #expect(error?.column == "tags")
    }

    @Test func sessionTimeZonesOfZeroOffsetAreUTC() {
        for name in ["UTC", "Etc/UTC", "utc", "GMT", "Zulu", "Etc/Universal"] {
            #expect(SessionTimeZone(parameterStatus: name) == .utc)
        }
        #expect(SessionTimeZone(parameterStatus: "Europe/London") == .other("Europe/London"))
        #expect(SessionTimeZone(parameterStatus: nil) == .other(nil))
    }
}

@Suite struct TableEncodingPlanTests {
    let columns = ["small": column("small", .int2, sql: "smallint"), "name": column("name", .text)]

    @Test func decidesOncePerColumnAndValueType() throws {
        var plan = TableEncodingPlan(table: "t", columns: columns, timeZone: .utc, path: .copy)
        #expect(plan.decided(at: 0, value: .int8) == nil)
        try plan.decide(at: 0, value: .int8, swiftType: Int.self, column: "small")
        #expect(plan.decided(at: 0, value: .int8) == PostgresBinaryConversion(step: .integer(from: .int8, to: .int2)))
        #expect(plan.decided(at: 0, value: .int4) == nil, "another value type is decided anew")
        try plan.decide(at: 3, value: .text, swiftType: String.self, column: "name")
        #expect(plan.decided(at: 3, value: .text)?.isIdentity == true)
        #expect(plan.encoding(at: 1) == nil && plan.encoding(at: 9) == nil)
    }

    @Test func unknownColumnsAreLeftToTheServer() throws {
        var plan = TableEncodingPlan(table: "t", columns: columns, timeZone: .utc, path: .unnest)
        let encoding = try plan.decide(at: 0, value: .uuid, swiftType: nil, column: "nope")
        #expect(encoding.conversion.isIdentity && encoding.sentType == .uuid && encoding.sentTypeSQL == "uuid")
    }

    @Test func aColumnSentAsTwoTypesIsRefused() throws {
        var plan = TableEncodingPlan(table: "t", columns: ["at": column("at", .timestamp)],
                                     timeZone: .other("Europe/Paris"), path: .unnest)
        try plan.decide(at: 0, value: .timestamptz, swiftType: nil, column: "at")
        let error = #expect(throws: PostgresEncodingError.self) { try plan.decide(at: 0, value: .date, swiftType: nil, column: "at") }
        #expect(error?.code == .unsupportedValue)
    }

    @Test func theDisabledPlanConvertsNothing() {
        #expect(!TableEncodingPlan.disabled.isEnabled)
        #expect(TableEncodingPlan.disabled.decided(at: 0, value: .int8) == nil)
    }
}
