import Foundation
import Testing
@testable import Tusk

/// The one set-based encoder: what the flush (already-encoded fields) and the bulk paths
/// (models) send through `unnest`, asserted as SQL text and bind bytes.
@Suite struct UnnestColumnsTests {
    struct Reading: Model {
        static let tableName = "readings"
        var id: Int64
        var small: Int
        var note: String?
    }

    let columns = [
        "id": column("id", .int8, sql: "bigint"), "small": column("small", .int2, sql: "smallint"),
        "note": column("note", .text),
    ]

    let readings = [Reading(id: 1, small: 7, note: nil), Reading(id: 2, small: -1, note: "x")]

    /// A one-dimensional array's binary form: header, then each element as length + bytes.
    func array(_ element: PostgresDataType, hasNull: Bool = false, _ items: [[UInt8]?]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0, 1, 0, 0, 0, hasNull ? 1 : 0]
        bytes += withUnsafeBytes(of: element.rawValue.bigEndian, Array.init)
        bytes += withUnsafeBytes(of: Int32(items.count).bigEndian, Array.init) + [0, 0, 0, 1]
        for item in items {
            if let item {
                bytes += withUnsafeBytes(of: Int32(item.count).bigEndian, Array.init) + item
            } else {
                bytes += [0xFF, 0xFF, 0xFF, 0xFF]
            }
        }
        return bytes
    }

    func fromModels(plan: TableEncodingPlan) throws -> UnnestColumns {
        let context = RowEncodingContext(sink: UnnestColumns(keyMapping: .snakeCase, plan: plan))
        for reading in readings {
            context.sink.beginRow()
            try context.encode(reading)
            try context.sink.endRow()
        }
        return context.sink
    }

    func rendered(_ encoded: UnnestColumns) throws -> SQL {
        SQL.join(try encoded.columns.indices.map(encoded.arraySQL), separator: ", ")
    }

    @Test func withTheTablesTypesEachArrayIsOfItsColumnsTypeConverted() throws {
        let plan = TableEncodingPlan(table: "readings", columns: columns, timeZone: .utc, path: .unnest)
        let sql = try rendered(try fromModels(plan: plan))
        #expect(sql.text == "$1::bigint[], $2::smallint[], $3::text[]")
        let binds = sql.bindings.fields.map(\.bytes)
        #expect(binds[0] == array(.int8, [[0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 2]]))
        #expect(binds[1] == array(.int2, [[0, 7], [0xFF, 0xFF]]), "Int (int8) converted into smallint elements")
        #expect(binds[2] == array(.text, hasNull: true, [nil, [0x78]]))
    }

    @Test func withoutTheTablesTypesTheFirstTypedValueDecides() throws {
        let sql = try rendered(try fromModels(plan: .disabled))
        #expect(sql.text == "$1::int8[], $2::int8[], $3::text[]")
        #expect(sql.bindings.fields[1].bytes == array(.int8, [[0, 0, 0, 0, 0, 0, 0, 7], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]))
    }

    @Test func theFlushsFieldsAndTheModelsEncodeTheSameStatement() throws {
        let plan = TableEncodingPlan(table: "readings", columns: columns, timeZone: .utc, path: .unnest)
        let rows = try readings.map { try EncodedRow(encoding: $0).fields }
        let (flushed, aliases) = FlushPlan.unnestArrays(rows, plan: plan)
        let modelled = try rendered(try fromModels(plan: plan))
        #expect(aliases == ["c1", "c2", "c3"])
        #expect(flushed.text == modelled.text)
        #expect(flushed.bindings.fields == modelled.bindings.fields)
    }

    @Test func aNullFirstRowDoesNotMakeAColumnText() throws {
        // The old flush encoder typed a column by its first row only: a NULL first made it text[].
        let rows: [[EncodedRow.Field]] = [
            [EncodedRow.Field(column: "n", key: "n", type: .unspecified, bytes: nil)],
            [EncodedRow.Field(column: "n", key: "n", type: .int4, bytes: [0, 0, 0, 5])],
        ]
        let (sql, _) = FlushPlan.unnestArrays(rows, plan: .disabled)
        #expect(sql.text == "$1::int4[]")
        #expect(sql.bindings.fields.first?.bytes == array(.int4, hasNull: true, [nil, [0, 0, 0, 5]]))
    }

    @Test func aValueTheColumnRefusesNamesColumnAndRowAndNothingIsBound() throws {
        let plan = TableEncodingPlan(table: "readings", columns: columns, timeZone: .utc, path: .unnest)
        let rows = try [Reading(id: 1, small: 1, note: nil), Reading(id: 2, small: 70_000, note: nil)].map { try EncodedRow(encoding: $0).fields }
        let (sql, _) = FlushPlan.unnestArrays(rows, plan: plan)
        let error = #expect(throws: PostgresEncodingError.self) { try sql.bindings.validate() }
        #expect(error?.code == .outOfRange)
        #expect(error?.column == "small")
        #expect(error?.message.contains("row 2") == true)
    }

    @Test func theFlushsBatchedInsertSendsOneArrayPerColumn() throws {
        let plan = TableEncodingPlan(table: "readings", columns: columns, timeZone: .utc, path: .unnest)
        let rows = try readings.map { try EncodedRow(encoding: $0).fields }
        let (arrays, aliases) = FlushPlan.unnestArrays(rows, plan: plan)
        let sql: SQL = "SELECT \(unsafeRaw: aliases.joined(separator: ", ")) FROM unnest(\(arrays)) AS u(\(unsafeRaw: aliases.joined(separator: ", ")))"
        #expect(sql.text == "SELECT c1, c2, c3 FROM unnest($1::bigint[], $2::smallint[], $3::text[]) AS u(c1, c2, c3)")
        #expect(sql.bindings.count == 3)
    }
}
