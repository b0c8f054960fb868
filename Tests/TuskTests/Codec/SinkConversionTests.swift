import Foundation
import Testing
@testable import Tusk

@Suite struct SinkConversionTests {
    struct Reading: Codable {
        var id: Int
        var small: Int
        var day: Date
        var note: Int?
    }

    struct Tagged: Codable {
        var id: Int
        var small: UUID
    }

    let columns = [
        "id": column("id", .int8, sql: "bigint"), "small": column("small", .int2, sql: "smallint"),
        "day": column("day", .date), "note": column("note", .text),
    ]

    func copy(_ rows: [some Encodable]) throws -> [UInt8] {
        let plan = TableEncodingPlan(table: "readings", columns: columns, timeZone: .utc, path: .copy)
        let context = RowEncodingContext(sink: CopyRowSink(encoder: PostgresBinaryCopyEncoder(), keyMapping: .snakeCase,
                                                           omittable: [], plan: plan))
        for row in rows {
            context.sink.beginRow()
            try context.encode(row)
            try context.sink.endRow()
        }
        return Array(context.sink.encoder.bytes.dropFirst(PostgresBinaryCopyEncoder.header.count))
    }

    @Test func copyRowsAreEncodedInTheColumnsTypes() throws {
        let bytes = try copy([Reading(id: 1, small: -2, day: Date(timeIntervalSince1970: 946_684_800 + 86_400 + 5), note: nil)])
        let expected: [UInt8] = [0, 4] + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 2, 0xFF, 0xFE] + [0, 0, 0, 4, 0, 0, 0, 1]
            + [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(bytes == expected, "int8 kept, Int into smallint, Date into date, a NULL Int? into text untouched")
    }

    @Test func anImpossiblePairIsRefusedAtTheFirstRow() throws {
        let error = #expect(throws: PostgresEncodingError.self) { try copy([Tagged(id: 1, small: UUID())]) }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "small")
        #expect(error?.columnType == "smallint")
        #expect(error?.message.contains("UUID (uuid)") == true)
    }

    @Test func anOutOfRangeValueNamesItsColumn() throws {
        let rows = (0..<3).map { Reading(id: $0, small: $0 == 2 ? 40_000 : $0, day: Date(), note: nil) }
        let error = #expect(throws: PostgresEncodingError.self) { try copy(rows) }
        #expect(error?.code == .outOfRange)
        #expect(error?.column == "small")
        #expect(error?.columnType == "smallint")
        #expect(error?.message.contains("40000") == true)
    }

    @Test func columnarArraysAreOfTheColumnsTypes() throws {
        let plan = TableEncodingPlan(table: "readings", columns: columns, timeZone: .utc, path: .unnest)
        let context = RowEncodingContext(sink: UnnestColumns(keyMapping: .snakeCase, plan: plan))
        for id in 0..<2 {
            context.sink.beginRow()
            try context.encode(Reading(id: id, small: 7, day: Date(timeIntervalSince1970: 946_684_800), note: nil))
            try context.sink.endRow()
        }
        let sink = context.sink
        #expect(sink.elementType(1).type == .int2)
        #expect(sink.elementType(1).sql == "smallint")
        #expect(sink.columns[1].elements.bytes == [0, 0, 0, 2, 0, 7, 0, 0, 0, 2, 0, 7])
        #expect(sink.elementType(2).type == .date)
        #expect(sink.elementType(3).type == .text, "a column of NULLs goes as the column's type")
        #expect(sink.elementType(3).sql == "text")
        let plain = RowEncodingContext(sink: UnnestColumns(keyMapping: .snakeCase))
        plain.sink.beginRow()
        try plain.encode(Reading(id: 1, small: 7, day: Date(), note: nil))
        try plain.sink.endRow()
        #expect(plain.sink.elementType(1).type == .int8, "without column types, the value's own type")
        #expect(plain.sink.elementType(1).sql == "int8")
        #expect(plain.sink.elementType(3).type == .int8, "a nil Int? is a NULL typed by its Swift type")
    }
}
