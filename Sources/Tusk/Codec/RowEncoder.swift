#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where an encoded row's values go: a column list for one statement, a binary COPY buffer, or
/// per-column arrays for `unnest`.
protocol RowEncodingSink {
    /// Receives the value of the property with coding key `key`.
    mutating func append<Value: PostgresEncodable>(_ value: Value, key: String) throws
    /// Receives NULL for the property with coding key `key`, typed when the Swift type says how.
    mutating func appendNull(type: PostgresDataType, key: String) throws
}

/// Encodes `Encodable` values into a ``RowEncodingSink``: every property becomes a column
/// (nil optionals become NULL rather than vanishing), PostgreSQL types bind directly, String- or
/// number-backed enums bind their raw value, and any other nested value is stored as `jsonb`.
final class RowEncodingContext<Sink: RowEncodingSink> {
    var sink: Sink

    init(sink: Sink) {
        self.sink = sink
    }

    /// Whether the values this context encodes are `@Model` models, learned at the first value
    /// (a context serves one type).
    private var encodesDeclaredModels: Bool?

    /// Encodes one value's properties into the sink: a `@Model` model through
    /// ``Model/encodeModelRow(into:)``, anything else through `Encodable`.
    func encode<T: Encodable>(_ value: T) throws {
        if encodesDeclaredModels == nil {
            encodesDeclaredModels = (T.self as? any Model.Type).map { ModelSchema.of($0).isDeclared } ?? false
        }
        if encodesDeclaredModels == true, let model = T.self as? any Model.Type {
            try encodeDeclared(value, as: model)
            return
        }
        try value.encode(to: RowEncoder(context: self))
    }

    private func encodeDeclared<T: Encodable, M: Model>(_ value: T, as model: M.Type) throws {
        guard T.self == M.self else { return try value.encode(to: RowEncoder(context: self)) }
        var writer = ModelRowSinkWriter(context: self)
        // T is M (checked above): this only gives the value its static type.
        try unsafeBitCast(value, to: M.self).encodeModelRow(into: &writer)
    }

    @inline(__always)
    func encodeValue<T: Encodable>(_ value: T, key: String) throws {
        if let encodable = value as? any PostgresEncodable {
            try appendOpened(encodable, key: key)
            return
        }
        let probe = SingleValueProbe()
        do {
            try value.encode(to: probe)
        } catch var error as PostgresEncodingError where error.column == nil {
            // The probe's container knows no key; name the property it was encoding.
            error.column = key
            throw error
        }
        switch probe.box.captured {
        case .value(let single):
            if let text = single as? String {
                // A String-backed enum or wrapper: let the server infer (text or ENUM column).
                try sink.append(InferredText(text), key: key)
            } else {
                try appendOpened(single, key: key)
            }
        case .null:
            try sink.appendNull(type: .unspecified, key: key)
        case .container, .none:
            try sink.append(EncodedJSONB(try JSONEncoder().encode(value)), key: key)
        }
    }

    @inline(__always)
    private func appendOpened<P: PostgresEncodable>(_ value: P, key: String) throws {
        try sink.append(value, key: key)
    }

    /// The static PostgreSQL type of `T`, for typed NULLs.
    @inline(__always)
    static func staticType<T>(of type: T.Type) -> PostgresDataType {
        (T.self as? any PostgresEncodable.Type)?.postgresType ?? .unspecified
    }
}

/// A String sent with its type left for the server to infer.
struct InferredText: PostgresEncodable {
    let text: String
    init(_ text: String) { self.text = text }
    static var postgresType: PostgresDataType { .unspecified }
    func encode(into buffer: inout PostgresEncodingBuffer) throws { try text.encode(into: &buffer) }
}

/// JSON text sent as `jsonb`.
struct EncodedJSONB: PostgresEncodable {
    let json: Data
    init(_ json: Data) { self.json = json }
    static var postgresType: PostgresDataType { .jsonb }
    func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: UInt8(1))
        buffer.append(contentsOf: json)
    }
}

struct RowEncoder<Sink: RowEncodingSink>: Encoder {
    let context: RowEncodingContext<Sink>
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RowKeyedEncodingContainer<Key, Sink>(context: context))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnsupportedEncodingContainer<AnyProbeKey>(reason: "a row encodes from a keyed container (a struct with properties)")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        UnsupportedEncodingContainer<AnyProbeKey>(reason: "a row encodes from a keyed container (a struct with properties)")
    }
}

struct RowKeyedEncodingContainer<Key: CodingKey, Sink: RowEncodingSink>: KeyedEncodingContainerProtocol {
    let context: RowEncodingContext<Sink>
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { try context.sink.appendNull(type: .unspecified, key: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try context.sink.append(value, key: key.stringValue) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try context.sink.append(Int16(value), key: key.stringValue) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try context.sink.append(Int16(value), key: key.stringValue) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try context.sink.append(Int32(value), key: key.stringValue) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try context.sink.append(Int64(value), key: key.stringValue) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try context.sink.append(try wide(value, key), key: key.stringValue) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try context.sink.append(try wide(value, key), key: key.stringValue) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        // A relation's loaded rows live in other tables: never written with this one.
        if value is any NonColumnValue { return }
        try context.encodeValue(value, key: key.stringValue)
    }

    // Synthesized `encode(to:)` skips nil optionals with `encodeIfPresent`; a row needs them as
    // NULL, or an UPDATE could never clear a column.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else {
            try context.sink.appendNull(type: RowEncodingContext<Sink>.staticType(of: T.self), key: key.stringValue)
            return
        }
        try context.encodeValue(value, key: key.stringValue)
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value, key) }

    @inline(__always)
    private mutating func present<V: PostgresEncodable>(_ value: V?, _ key: Key) throws {
        if let value {
            try context.sink.append(value, key: key.stringValue)
        } else {
            try context.sink.appendNull(type: V.postgresType, key: key.stringValue)
        }
    }

    private func wide<T: BinaryInteger>(_ value: T, _ key: Key) throws -> Int64 {
        guard let wide = Int64(exactly: value) else {
            throw PostgresEncodingError(.outOfRange, "\(value) does not fit in int8", column: key.stringValue)
        }
        return wide
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(UnsupportedEncodingContainer<NestedKey>(reason: "nested containers in a row (key \(key.stringValue)); use a Codable property, stored as jsonb"))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnsupportedEncodingContainer<Key>(reason: "nested containers in a row (key \(key.stringValue)); use an array property")
    }

    mutating func superEncoder() -> any Encoder { RowEncoder(context: context) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { RowEncoder(context: context) }
}

/// Captures what a value writes into a single-value container, to tell enums and wrappers
/// (one primitive) from structured values (stored as JSON).
final class SingleValueProbe: Encoder {
    final class Box {
        enum Captured {
            case value(any PostgresEncodable)
            case null
            case container
        }
        var captured: Captured?
    }

    let box = Box()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.captured = .container
        return KeyedEncodingContainer(IgnoringEncodingContainer<Key>())
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.captured = .container
        return IgnoringEncodingContainer<AnyProbeKey>()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ProbeSingleValueContainer(box: box)
    }
}

struct AnyProbeKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

struct ProbeSingleValueContainer: SingleValueEncodingContainer {
    let box: SingleValueProbe.Box
    var codingPath: [any CodingKey] { [] }

    private func capture(_ value: any PostgresEncodable) {
        if box.captured == nil { box.captured = .value(value) }
    }

    mutating func encodeNil() { if box.captured == nil { box.captured = .null } }
    mutating func encode(_ value: Bool) { capture(value) }
    mutating func encode(_ value: String) { capture(value) }
    mutating func encode(_ value: Double) { capture(value) }
    mutating func encode(_ value: Float) { capture(value) }
    mutating func encode(_ value: Int) { capture(value) }
    mutating func encode(_ value: Int8) { capture(Int16(value)) }
    mutating func encode(_ value: Int16) { capture(value) }
    mutating func encode(_ value: Int32) { capture(value) }
    mutating func encode(_ value: Int64) { capture(value) }
    mutating func encode(_ value: UInt) throws { capture(try Self.wide(value)) }
    mutating func encode(_ value: UInt8) { capture(Int16(value)) }
    mutating func encode(_ value: UInt16) { capture(Int32(value)) }
    mutating func encode(_ value: UInt32) { capture(Int64(value)) }
    mutating func encode(_ value: UInt64) throws { capture(try Self.wide(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let encodable = value as? any PostgresEncodable {
            capture(encodable)
            return
        }
        // A generic wrapper (`Tagged<Tag, UInt64>`) reaches this overload rather than the typed
        // ones: give its integers the same widening and range check.
        switch value {
        case let integer as UInt64: try encode(integer)
        case let integer as UInt: try encode(integer)
        case let integer as UInt32: encode(integer)
        case let integer as UInt16: encode(integer)
        case let integer as Int8: encode(integer)
        default:
            // A wrapper around a structured value: store the whole thing as JSON.
            if box.captured == nil { box.captured = .container }
        }
    }

    /// `value` as int8, or the same out-of-range error the keyed container throws; the caller
    /// adds the column, which this container does not know.
    private static func wide<T: BinaryInteger>(_ value: T) throws -> Int64 {
        guard let wide = Int64(exactly: value) else {
            throw PostgresEncodingError(.outOfRange, "\(value) does not fit in int8")
        }
        return wide
    }
}

/// Accepts and discards writes; used while probing a structured value's shape.
struct IgnoringEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil(forKey key: Key) {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) {}
    mutating func encodeNil() {}
    mutating func encode<T: Encodable>(_ value: T) {}
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(IgnoringEncodingContainer<NestedKey>())
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { self }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(IgnoringEncodingContainer<NestedKey>())
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { SingleValueProbe() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SingleValueProbe() }
}

/// A container that fails every write with a clear error: rows are flat.
struct UnsupportedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, UnkeyedEncodingContainer, SingleValueEncodingContainer {
    let reason: String
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }

    private var error: PostgresEncodingError { PostgresEncodingError(.unsupportedValue, "Tusk cannot encode \(reason)") }

    mutating func encodeNil(forKey key: Key) throws { throw error }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw error }
    mutating func encodeNil() throws { throw error }
    mutating func encode<T: Encodable>(_ value: T) throws { throw error }
    mutating func encode(_ value: Bool) throws { throw error }
    mutating func encode(_ value: String) throws { throw error }
    mutating func encode(_ value: Double) throws { throw error }
    mutating func encode(_ value: Float) throws { throw error }
    mutating func encode(_ value: Int) throws { throw error }
    mutating func encode(_ value: Int8) throws { throw error }
    mutating func encode(_ value: Int16) throws { throw error }
    mutating func encode(_ value: Int32) throws { throw error }
    mutating func encode(_ value: Int64) throws { throw error }
    mutating func encode(_ value: UInt) throws { throw error }
    mutating func encode(_ value: UInt8) throws { throw error }
    mutating func encode(_ value: UInt16) throws { throw error }
    mutating func encode(_ value: UInt32) throws { throw error }
    mutating func encode(_ value: UInt64) throws { throw error }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(UnsupportedEncodingContainer<NestedKey>(reason: reason))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { self }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(UnsupportedEncodingContainer<NestedKey>(reason: reason))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { SingleValueProbe() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SingleValueProbe() }
}
