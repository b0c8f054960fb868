import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libpq `PGresult` and frees it when the last reference goes.
///
/// A `PGresult` is immutable once libpq hands it over and does not refer to its connection, and
/// libpq documents reading one from several threads as safe; that is why this class can be
/// `@unchecked Sendable`: nothing mutates it after init.
///
/// Every accessor checks its row and column against the result's bounds before calling libpq:
/// libpq answers an out-of-range index with a notice through the connection's notice receiver,
/// and a result can outlive its connection. The result also keeps that receiver's sink alive,
/// so even a notice libpq raised on its own could not reach freed memory.
final class PGResult: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// The connection's notice sink, which libpq copied into the result's notice hooks.
    private let noticeSink: NoticeSink?
    /// The number of rows, read once.
    let rowCount: Int
    /// The number of columns, read once.
    let columnCount: Int

    init(taking pointer: OpaquePointer, noticeSink: NoticeSink?) {
        self.pointer = pointer
        self.noticeSink = noticeSink
        rowCount = Int(PQntuples(pointer))
        columnCount = Int(PQnfields(pointer))
    }

    deinit {
        PQclear(pointer)
    }

    /// libpq's status of this result.
    var status: Status {
        switch PQresultStatus(pointer) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY: .commandOK
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE: .tuples
        case PGRES_COPY_IN: .copyIn
        case PGRES_COPY_OUT: .copyOut
        case PGRES_COPY_BOTH: .copyBoth
        case PGRES_PIPELINE_SYNC: .pipelineSync
        case PGRES_PIPELINE_ABORTED: .pipelineAborted
        default: .error
        }
    }

    enum Status: Equatable {
        case commandOK, tuples, copyIn, copyOut, copyBoth, pipelineSync, pipelineAborted, error
    }

    @inline(__always)
    func contains(row: Int, column: Int) -> Bool {
        row >= 0 && row < rowCount && column >= 0 && column < columnCount
    }

    @inline(__always)
    func columnType(_ column: Int) -> PostgresDataType {
        guard column >= 0, column < columnCount else { return .unspecified }
        return PostgresDataType(rawValue: PQftype(pointer, Int32(column)))
    }

    func columnName(_ column: Int) -> String {
        guard column >= 0, column < columnCount, let name = PQfname(pointer, Int32(column)) else { return "" }
        return String(cString: name)
    }

    /// The index of the column named exactly `name` (no case folding, unlike `PQfnumber`).
    func columnIndex(named name: String) -> Int? {
        name.withCString { wanted in
            for column in 0..<columnCount {
                if let candidate = PQfname(pointer, Int32(column)), strcmp(candidate, wanted) == 0 {
                    return column
                }
            }
            return nil
        }
    }

    /// Whether the cell is NULL; a cell outside the result reads as NULL (callers check bounds
    /// first to report it).
    @inline(__always)
    func isNull(row: Int, column: Int) -> Bool {
        guard contains(row: row, column: column) else { return true }
        return PQgetisnull(pointer, Int32(row), Int32(column)) != 0
    }

    /// The cell's bytes, or nil for NULL (and for a cell outside the result: callers check bounds
    /// first to report it). Valid as long as this result lives.
    @inline(__always)
    func bytes(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        guard contains(row: row, column: column) else { return nil }
        let r = Int32(row)
        let c = Int32(column)
        if PQgetisnull(pointer, r, c) != 0 { return nil }
        let length = Int(PQgetlength(pointer, r, c))
        guard let value = PQgetvalue(pointer, r, c) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: value, count: length)
    }

    /// Rows affected by INSERT/UPDATE/DELETE/MERGE/SELECT/COPY/FETCH/MOVE, or nil.
    var affectedRows: Int? {
        guard let text = PQcmdTuples(pointer) else { return nil }
        let string = String(cString: text)
        return string.isEmpty ? nil : Int(string)
    }

    /// The command tag, e.g. `INSERT 0 1`.
    var commandTag: String {
        guard let text = PQcmdStatus(pointer) else { return "" }
        return String(cString: text)
    }

    /// libpq's error message for this result (may be a client-side message without SQLSTATE).
    var errorMessage: String {
        guard let text = PQresultErrorMessage(pointer) else { return "" }
        return String(cString: text).trimmingTrailingNewlines()
    }

    func errorField(_ code: Int32) -> String? {
        guard let value = PQresultErrorField(pointer, code) else { return nil }
        return String(cString: value)
    }

    /// The server error this result carries, or nil when it carries none (no SQLSTATE: the error
    /// came from libpq itself, e.g. because the connection dropped).
    func serverError(query: String?) -> PostgresError? {
        guard let code = errorField(Int32(UInt8(ascii: "C"))), !code.isEmpty else { return nil }
        return PostgresError(
            sqlState: SQLState(rawValue: code),
            severity: errorField(Int32(UInt8(ascii: "V"))) ?? errorField(Int32(UInt8(ascii: "S"))) ?? "ERROR",
            message: errorField(Int32(UInt8(ascii: "M"))) ?? errorMessage,
            detail: errorField(Int32(UInt8(ascii: "D"))),
            hint: errorField(Int32(UInt8(ascii: "H"))),
            position: errorField(Int32(UInt8(ascii: "P"))).flatMap { Int($0) },
            context: errorField(Int32(UInt8(ascii: "W"))),
            schema: errorField(Int32(UInt8(ascii: "s"))),
            table: errorField(Int32(UInt8(ascii: "t"))),
            column: errorField(Int32(UInt8(ascii: "c"))),
            dataType: errorField(Int32(UInt8(ascii: "d"))),
            constraint: errorField(Int32(UInt8(ascii: "n"))),
            query: query,
            routine: errorField(Int32(UInt8(ascii: "R")))
        )
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var copy = Substring(self)
        while let last = copy.last, last == "\n" || last == "\r" || last == " " { copy = copy.dropLast() }
        return String(copy)
    }
}
