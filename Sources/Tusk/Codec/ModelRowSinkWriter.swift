#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ``ModelRowWriter`` a `@Model` model writes into: each column goes straight to the
/// context's sink (a statement's fields, a COPY row, `unnest` arrays), under its declared name.
struct ModelRowSinkWriter<Sink: RowEncodingSink>: ModelRowWriter {
    let context: RowEncodingContext<Sink>

    mutating func encode<Value: PostgresEncodable & Encodable>(_ value: Value, column: String) throws {
        try context.sink.append(value, key: column)
    }

    mutating func encode<Value: Encodable>(_ value: Value, column: String) throws {
        try context.encodeValue(value, key: column)
    }

    mutating func encodeJSON<Value: Encodable>(_ value: Value?, column: String) throws {
        guard let value else {
            try context.sink.appendNull(type: .jsonb, key: column)
            return
        }
        let json: Data
        do {
            json = try JSONEncoder().encode(value)
        } catch {
            throw PostgresEncodingError(.unsupportedValue, "\(Value.self) cannot be encoded as JSON: \(error)", column: column)
        }
        try context.sink.append(EncodedJSONB(json), key: column)
    }
}
