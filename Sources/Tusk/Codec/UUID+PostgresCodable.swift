#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension UUID: PostgresEncodable {
    /// `uuid`.
    public static var postgresType: PostgresDataType { .uuid }

    /// Appends the 16 bytes.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }
}

extension UUID: PostgresDecodable {
    /// Decodes `uuid`.
    @inline(__always)
    public init(from cell: PostgresCell) throws {
        guard cell.type == .uuid else { throw cell.typeMismatch(UUID.self) }
        try cell.expectLength(16, for: UUID.self)
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: cell.bytes) }
        self = UUID(uuid: raw)
    }
}

extension UUID: PostgresArrayElement {
    /// `uuid[]`.
    public static var postgresArrayType: PostgresDataType { .uuidArray }
}
