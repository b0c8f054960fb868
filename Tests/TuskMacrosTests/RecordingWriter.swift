import TuskModel

/// A `ModelRowWriter` that notes which of its methods each column reached, so a test sees the
/// overload the generated `encodeModelRow(into:)` picked.
struct RecordingWriter: ModelRowWriter {
    private(set) var calls: [String] = []

    mutating func encode<Value: PostgresEncodable & Encodable>(_ value: Value, column: String) throws {
        calls.append("\(column): postgres")
    }

    mutating func encode<Value: Encodable>(_ value: Value, column: String) throws {
        calls.append("\(column): codable")
    }

    mutating func encodeJSON<Value: Encodable>(_ value: Value?, column: String) throws {
        calls.append("\(column): json")
    }
}
