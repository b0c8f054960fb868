#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Learns which coding key each stored property of a `Decodable` type uses, without an
/// instance: it runs the type's `init(from:)` against a decoder that records every key asked for
/// and hands back a placeholder value, so a custom `CodingKeys` (`case email = "email_address"`)
/// maps the property `email` to the column `email_address`.
///
/// A synthesized `init(from:)` asks for its keys in declaration order. A property whose type the
/// probe cannot conjure a value for (a type whose `init(from:)` validates its input) stops the
/// probe there; the keys asked for before it are still known, and ``Result/instance`` is nil.
enum CodingKeyProbe {
    struct Result<T> {
        /// Property name (the `CodingKeys` case name) → coding key.
        var keys: [String: String] = [:]
        /// The properties and their keys in the order `init(from:)` asked for them.
        var orderedKeys: [(property: String, key: String)] = []
        /// A placeholder value, when `init(from:)` ran to the end (so every coded property is in
        /// ``keys``).
        var instance: T?
    }

    static func probe<T: Decodable>(_ type: T.Type) -> Result<T> {
        let recorder = Recorder()
        var result = Result<T>()
        // Partial on failure: what was recorded before it stands.
        result.instance = try? T(from: ProbeDecoder(recorder: recorder, recording: true))
        result.keys = recorder.keys
        result.orderedKeys = recorder.orderedKeys
        return result
    }

    final class Recorder {
        var keys: [String: String] = [:]
        var orderedKeys: [(property: String, key: String)] = []

        func record(_ key: some CodingKey) {
            guard let name = caseName(of: key), keys[name] == nil else { return }
            keys[name] = key.stringValue
            orderedKeys.append((name, key.stringValue))
        }
    }

    /// The case name of an enum value, ignoring any `description` (a `CodingKey`'s describes its
    /// string value, not its case); nil for a struct key.
    static func caseName<K: CodingKey>(of key: K) -> String? {
        guard let name = tuskEnumCaseName(key) else { return nil }
        return String(cString: name)
    }

    /// A placeholder value of `T`.
    static func conjure<T: Decodable>(_ type: T.Type, recorder: Recorder) throws -> T {
        if let value = primitive(T.self) { return value }
        if let cases = T.self as? any CaseIterable.Type, let first = firstCase(cases) as? T { return first }
        do {
            return try T(from: ProbeDecoder(recorder: recorder, recording: false))
        } catch {
            // An enum with raw values refuses the probe's "" (`Mood(rawValue: "")` is nil). A
            // trivial type holds no references, and its all-zero bit pattern is a value (an
            // enum's first case): a placeholder only the probe ever sees.
            guard _isPOD(T.self) else { throw error }
            return withUnsafeTemporaryAllocation(byteCount: max(MemoryLayout<T>.size, 1), alignment: MemoryLayout<T>.alignment) { bytes in
                bytes.initializeMemory(as: UInt8.self, repeating: 0)
                return bytes.load(as: T.self)
            }
        }
    }

    private static func firstCase<C: CaseIterable>(_ type: C.Type) -> Any? { C.allCases.first }

    private static func primitive<T>(_ type: T.Type) -> T? {
        switch T.self {
        case is String.Type: return "" as? T
        case is Bool.Type: return false as? T
        case is Int.Type: return 0 as Int as? T
        case is Int8.Type: return 0 as Int8 as? T
        case is Int16.Type: return 0 as Int16 as? T
        case is Int32.Type: return 0 as Int32 as? T
        case is Int64.Type: return 0 as Int64 as? T
        case is UInt.Type: return 0 as UInt as? T
        case is UInt8.Type: return 0 as UInt8 as? T
        case is UInt16.Type: return 0 as UInt16 as? T
        case is UInt32.Type: return 0 as UInt32 as? T
        case is UInt64.Type: return 0 as UInt64 as? T
        case is Double.Type: return 0 as Double as? T
        case is Float.Type: return 0 as Float as? T
        case is UUID.Type: return UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) as? T
        case is Date.Type: return Date(timeIntervalSince1970: 0) as? T
        case is Decimal.Type: return Decimal(0) as? T
        case is Data.Type: return Data() as? T
        default: return nil
        }
    }

    struct ProbeError: Error {}

    struct ProbeDecoder: Decoder {
        let recorder: Recorder
        /// Only the top level's keys are the model's columns.
        let recording: Bool
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(ProbeKeyedContainer<Key>(recorder: recorder, recording: recording))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { ProbeUnkeyedContainer() }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            ProbeSingleValueContainer(recorder: recorder)
        }
    }

    struct ProbeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: Recorder
        let recording: Bool
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        private func note(_ key: Key) {
            if recording { recorder.record(key) }
        }

        func contains(_ key: Key) -> Bool {
            note(key)
            return false
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            note(key)
            return true
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if let nonColumn = T.self as? any NonColumnValue.Type, let value = nonColumn.notLoaded as? T { return value }
            note(key)
            return try CodingKeyProbe.conjure(T.self, recorder: recorder)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            note(key)
            return nil
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            note(key)
            return KeyedDecodingContainer(ProbeKeyedContainer<NestedKey>(recorder: recorder, recording: false))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            note(key)
            return ProbeUnkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { ProbeDecoder(recorder: recorder, recording: false) }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            note(key)
            return ProbeDecoder(recorder: recorder, recording: false)
        }
    }

    /// An empty sequence: arrays and sets decode as empty.
    struct ProbeUnkeyedContainer: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }

        mutating func decodeNil() throws -> Bool { true }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw ProbeError() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            throw ProbeError()
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw ProbeError() }
        mutating func superDecoder() throws -> any Decoder { throw ProbeError() }
    }

    /// One placeholder value: nil for optionals, zero or empty for primitives.
    struct ProbeSingleValueContainer: SingleValueDecodingContainer {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { true }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try CodingKeyProbe.conjure(T.self, recorder: recorder) }
    }
}

/// The Swift runtime's name of an enum value's case (what `print` shows for an enum without a
/// `description`); nil for a value that is not an enum case.
@_silgen_name("swift_EnumCaseName")
private func tuskEnumCaseName<T>(_ value: T) -> UnsafePointer<CChar>?
