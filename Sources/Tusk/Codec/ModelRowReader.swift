#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads one row into a `@Model` model, one cell after another in ``Model/modelColumns`` order:
/// no keyed container, no per-row dictionary. The macro generates ``Model/init(modelRow:)``,
/// which calls one of its `next` methods once per column.
///
/// A result whose columns are the model's, in order (what repositories select), is read by
/// position; any other result (`SELECT *`, a `RETURNING *`, a view) is matched by column name
/// once per result, and then also read by position.
public struct ModelRowReader {
    enum Source {
        case result(PGResult)
        case copy(CopyBinaryRows)
    }

    let source: Source
    /// The model's column names, for errors.
    let names: [String]
    /// By column position in the model: the result column that holds it, or -1 when the result
    /// has none. Nil when the result's columns are the model's, in order.
    let plan: [Int]?
    private(set) var row = 0
    private var position = 0
    /// The result column of the cell read last, for errors.
    private var lastColumn = 0
    /// Decodes types that are not ``PostgresDecodable`` the way the `Codable` path does; made at
    /// the first such cell.
    private var fallback: FallbackDecoder?

    init(source: Source, names: [String]) {
        self.source = source
        self.names = names
        let columnCount: Int
        let columnName: (Int) -> String
        switch source {
        case .result(let result): (columnCount, columnName) = (result.columnCount, result.columnName)
        case .copy(let rows): (columnCount, columnName) = (rows.columnCount, rows.columnName)
        }
        plan = Self.plan(names: names, columnCount: columnCount, columnName: columnName)
    }

    /// Nil when the result's first columns are `names`, in order; otherwise each name's column.
    static func plan(names: [String], columnCount: Int, columnName: (Int) -> String) -> [Int]? {
        if columnCount >= names.count, names.indices.allSatisfy({ columnName($0) == names[$0] }) { return nil }
        var byName: [String: Int] = [:]
        for column in (0..<columnCount).reversed() { byName[columnName(column)] = column }  // the first of a name wins
        return names.map { byName[$0] ?? -1 }
    }

    /// Moves to row `row`, first column.
    @inline(__always)
    mutating func start(row: Int) {
        self.row = row
        position = 0
    }

    /// The result column of the model column at `position`, or nil when the result has none.
    @inline(__always)
    private mutating func nextColumn() -> Int? {
        defer { position += 1 }
        guard let plan else { return position }
        guard position < plan.count else { return nil }
        let column = plan[position]
        return column < 0 ? nil : column
    }

    @usableFromInline
    func missingColumn(_ type: Any.Type) -> PostgresDecodingError {
        let name = position - 1 < names.count ? names[position - 1] : "#\(position - 1)"
        return PostgresDecodingError(.missingColumn, swiftType: type, postgresType: nil, column: name,
                                     message: "the result has no column \"\(name)\"")
    }

    /// The next column's cell, found without generics: the one part of a read that is the same
    /// for every type.
    @usableFromInline
    enum Cell {
        case value(PostgresCell)
        case null
        /// The result has no such column.
        case missing
    }

    @usableFromInline
    mutating func nextCell() -> Cell {
        guard let column = nextColumn() else { return .missing }
        lastColumn = column
        let bytes: UnsafeRawBufferPointer?
        let type: PostgresDataType
        switch source {
        case .result(let result): (bytes, type) = (result.cellBytes(row: row, column: column), result.columnType(column))
        case .copy(let rows): (bytes, type) = (rows.cellBytes(row: row, column: column), rows.columnType(column))
        }
        guard let bytes else { return .null }
        return .value(PostgresCell(bytes: bytes, type: type))
    }

    /// `error`, naming the column read last.
    @usableFromInline
    func located(_ error: PostgresDecodingError) -> PostgresDecodingError {
        let name: String
        let type: PostgresDataType
        switch source {
        case .result(let result): (name, type) = (result.columnName(lastColumn), result.columnType(lastColumn))
        case .copy(let rows): (name, type) = (rows.columnName(lastColumn), rows.columnType(lastColumn))
        }
        var located = error.at(column: name, index: lastColumn)
        if located.postgresType == nil { located.postgresType = type }
        return located
    }

    /// Reads the next column as a PostgreSQL-typed value (an optional reads NULL as nil).
    /// Inlinable, so a model's module specializes it for each column's type.
    ///
    /// - Throws: ``PostgresDecodingError`` naming the column.
    @inlinable
    public mutating func next<T: PostgresDecodable & Decodable>(_ type: T.Type = T.self) throws -> T {
        let cell = nextCell()
        do {
            switch cell {
            case .value(let cell): return try T(from: cell)
            case .null: return try T.decodeNull()
            case .missing: break
            }
        } catch let error as PostgresDecodingError {
            throw located(error)
        }
        if let absent = try? T.decodeNull() { return absent }  // an optional the query left out
        throw missingColumn(T.self)
    }

    /// Reads the next column as any other `Decodable`, the way the `Codable` path does: an enum
    /// with a raw value from its one value, a struct from `json` or `jsonb`.
    ///
    /// - Throws: ``PostgresDecodingError`` naming the column.
    public mutating func next<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        guard let column = nextColumn() else {
            if let absent = (T.self as? any ExpressibleByNilLiteral.Type)?.init(nilLiteral: ()) as? T { return absent }
            throw missingColumn(T.self)
        }
        if fallback == nil { fallback = FallbackDecoder(source: source) }
        return try fallback.unsafelyUnwrapped.decode(T.self, row: row, column: column)
    }

    /// Reads the next column's `json` or `jsonb` as `T` (`@JSON` properties).
    ///
    /// - Throws: ``PostgresDecodingError`` naming the column, also for NULL.
    public mutating func nextJSON<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        guard let value = try nextJSONIfPresent(T.self) else {
            let name = names.indices.contains(position - 1) ? names[position - 1] : nil
            throw PostgresDecodingError(.unexpectedNull, swiftType: T.self, postgresType: nil, column: name,
                                        message: "NULL cannot be decoded as non-optional \(T.self)")
        }
        return value
    }

    /// Reads the next column's `json` or `jsonb` as `T`, or nil for NULL.
    ///
    /// - Throws: ``PostgresDecodingError`` naming the column.
    public mutating func nextJSON<T: Decodable>(_ type: T?.Type = T?.self) throws -> T? {
        try nextJSONIfPresent(T.self)
    }

    private mutating func nextJSONIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        guard case .value(let cell) = nextCell() else { return nil }
        do {
            return try PostgresJSONCoding.decode(T.self, from: cell)
        } catch let error as PostgresDecodingError {
            throw located(error)
        }
    }
}

/// The `Codable` path's one-cell decoder, for the reader's columns whose type is not
/// ``PostgresDecodable``.
private enum FallbackDecoder {
    case result(RowDecodingContext<PGResult>)
    case copy(RowDecodingContext<CopyBinaryRows>)

    init(source: ModelRowReader.Source) {
        switch source {
        case .result(let result): self = .result(RowDecodingContext(storage: result, keyMapping: .useKeys))
        case .copy(let rows): self = .copy(RowDecodingContext(storage: rows, keyMapping: .useKeys))
        }
    }

    func decode<T: Decodable>(_ type: T.Type, row: Int, column: Int) throws -> T {
        switch self {
        case .result(let context):
            context.start(row: row)
            return try context.decodeValue(T.self, column: column, key: nil)
        case .copy(let context):
            context.start(row: row)
            return try context.decodeValue(T.self, column: column, key: nil)
        }
    }
}
