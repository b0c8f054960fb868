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
final class PGResult: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
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

    @inline(__always) var rowCount: Int { Int(PQntuples(pointer)) }
    @inline(__always) var columnCount: Int { Int(PQnfields(pointer)) }

    @inline(__always)
    func columnType(_ column: Int) -> PostgresDataType {
        PostgresDataType(rawValue: PQftype(pointer, Int32(column)))
    }

    func columnName(_ column: Int) -> String {
        guard let name = PQfname(pointer, Int32(column)) else { return "" }
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

    @inline(__always)
    func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(pointer, Int32(row), Int32(column)) != 0
    }

    /// The cell's bytes, or nil for NULL. Valid as long as this result lives.
    @inline(__always)
    func bytes(row: Int, column: Int) -> UnsafeRawBufferPointer? {
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
            query: query
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
