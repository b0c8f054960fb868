#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A `Codable` value stored as `jsonb` (and read from `json` or `jsonb`).
///
/// ```swift
/// struct Settings: Codable, Sendable { var theme: String; var tags: [String] }
/// try await session.execute("UPDATE users SET settings = \(PostgresJSON(settings)) WHERE id = \(id)")
/// let back = try await session.scalar("SELECT settings FROM users WHERE id = \(id)", as: PostgresJSON<Settings>.self)
/// ```
///
/// Model properties whose type is a `Codable` struct, not a PostgreSQL type, are stored as JSON
/// this way automatically.
public struct PostgresJSON<Value: Codable & Sendable>: Sendable {
    /// The decoded value.
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) {
        self.value = value
    }
}

extension PostgresJSON: PostgresEncodable {
    /// `jsonb`.
    public static var postgresType: PostgresDataType { .jsonb }

    /// Appends `jsonb`'s binary form: version byte 1, then the JSON text.
    ///
    /// - Throws: the `EncodingError` of `JSONEncoder`.
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        try PostgresJSONCoding.encodeJSONB(value, into: &buffer)
    }
}

extension PostgresJSON: PostgresDecodable {
    /// Decodes `jsonb` or `json` with `JSONDecoder`.
    public init(from cell: PostgresCell) throws {
        value = try PostgresJSONCoding.decode(Value.self, from: cell)
    }
}

/// JSON reading and writing shared by ``PostgresJSON`` and the row coders.
enum PostgresJSONCoding {
    /// Decodes any `Decodable` from a `json`, `jsonb` or text cell.
    static func decode<T: Decodable>(_ type: T.Type, from cell: PostgresCell) throws -> T {
        var json = cell.bytes
        switch cell.type {
        case .jsonb:
            guard json.count >= 1, json[0] == 1 else { throw cell.invalid(T.self, "unsupported jsonb version") }
            json = UnsafeRawBufferPointer(rebasing: json.dropFirst())
        case .json, .text, .varchar, .unknown:
            break
        default:
            throw cell.typeMismatch(T.self)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(json))
        } catch {
            throw PostgresDecodingError(.invalidValue, swiftType: T.self, postgresType: cell.type,
                                        message: "JSON does not decode: \(error)")
        }
    }

    /// Encodes any `Encodable` as `jsonb`'s binary form.
    static func encodeJSONB<T: Encodable>(_ value: T, into buffer: inout PostgresEncodingBuffer) throws {
        buffer.append(bigEndian: UInt8(1))
        buffer.append(contentsOf: try JSONEncoder().encode(value))
    }
}

extension PostgresJSON: PostgresArrayElement {
    /// `jsonb[]`.
    public static var postgresArrayType: PostgresDataType { .jsonbArray }
}

extension PostgresJSON: Equatable where Value: Equatable {}
extension PostgresJSON: Hashable where Value: Hashable {}

extension PostgresJSON: Codable {
    /// Decodes the wrapped value itself (outside PostgreSQL, the wrapper is transparent).
    public init(from decoder: any Decoder) throws {
        value = try Value(from: decoder)
    }

    /// Encodes the wrapped value itself.
    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
