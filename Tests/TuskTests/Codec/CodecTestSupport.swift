import Testing
@testable import Tusk

/// Encodes a value the way a bound parameter is encoded and returns its bytes (nil for NULL).
func encoded(_ value: some PostgresEncodable) throws -> [UInt8]? {
    var buffer = PostgresEncodingBuffer()
    if value.isPostgresNull { return nil }
    try value.encode(into: &buffer)
    return buffer.bytes
}

/// Decodes `bytes` of PostgreSQL type `type` as `T`.
func decoded<T: PostgresDecodable>(_ type: T.Type, _ bytes: [UInt8]?, as postgresType: PostgresDataType) throws -> T {
    guard let bytes else { return try T.decodeNull() }
    return try bytes.withUnsafeBytes { try T(from: PostgresCell(bytes: $0, type: postgresType)) }
}

/// Encodes then decodes with the value's own type.
func roundTrip<T: PostgresCodable>(_ value: T) throws -> T {
    try decoded(T.self, encoded(value), as: T.postgresType)
}
