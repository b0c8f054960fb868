#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Data: PostgresEncodable {
    /// `bytea`.
    public static var postgresType: PostgresDataType { .bytea }

    /// Appends the bytes as they are (`bytea`'s binary form).
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        withUnsafeBytes { buffer.append(contentsOf: $0) }
    }
}

extension Data: PostgresDecodable {
    /// Decodes `bytea`.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        guard cell.type == .bytea else { throw cell.typeMismatch(Data.self) }
        self = Data(cell.bytes)
    }
}

extension Data: PostgresArrayElement {
    /// `bytea[]`.
    public static var postgresArrayType: PostgresDataType { .byteaArray }
}
