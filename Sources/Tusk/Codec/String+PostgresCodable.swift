#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String: PostgresEncodable {
    /// `text`. It binds to `varchar`, `char(n)` and `name` through PostgreSQL's implicit casts.
    /// String-backed enums use ``PostgresDataType/unspecified`` instead, so they also bind to
    /// `ENUM` columns.
    public static var postgresType: PostgresDataType { .text }

    /// Appends the UTF-8 bytes.
    ///
    /// - Throws: ``PostgresEncodingError/Code/nulInText`` when the string contains NUL:
    ///   PostgreSQL text cannot hold it, and libpq's text protocol would cut the string there.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        let appended: Bool? = utf8.withContiguousStorageIfAvailable { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return true }
            if memchr(base, 0, utf8.count) != nil { return false }
            buffer.append(contentsOf: UnsafeRawBufferPointer(utf8))
            return true
        }
        switch appended {
        case true?:
            return
        case false?:
            throw Self.nulError
        case nil:
            let copy = Array(utf8)
            if copy.contains(0) { throw Self.nulError }
            buffer.append(contentsOf: copy)
        }
    }

    private static var nulError: PostgresEncodingError {
        PostgresEncodingError(.nulInText, "a string containing the NUL character cannot be stored in PostgreSQL text")
    }
}

extension String: PostgresDecodable {
    /// Decodes any type whose binary form is text: `text`, `varchar`, `char(n)`, `name`, `json`,
    /// enums and other types created in the database (e.g. `citext`), and `numeric` (its exact
    /// decimal text).
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        if cell.type.hasTextualBinaryForm {
            self = String(decoding: cell.bytes, as: UTF8.self)
            return
        }
        switch cell.type {
        case .jsonb:
            guard cell.count >= 1, cell.bytes[0] == 1 else {
                throw cell.invalid(String.self, "unsupported jsonb version")
            }
            self = String(decoding: UnsafeRawBufferPointer(rebasing: cell.bytes.dropFirst()), as: UTF8.self)
        case .numeric:
            self = try PostgresNumeric(from: cell).description
        case .char:
            self = String(decoding: cell.bytes, as: UTF8.self)
        default:
            throw cell.typeMismatch(String.self)
        }
    }
}

extension String: PostgresArrayElement {
    /// `text[]`.
    public static var postgresArrayType: PostgresDataType { .textArray }
}
