import Foundation
import Testing
@testable import Tusk

@Suite struct ArrayAndJSONCodecTests {
    @Test func arrayHeaderAndElements() throws {
        let bytes = try encoded([Int32(7), 8])
        #expect(bytes == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1,
                          0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 8])
        #expect([Int32].postgresType == .int4Array)
    }

    @Test func arraysWithNullsRoundTrip() throws {
        let values: [String?] = ["a", nil, "", "🐘"]
        #expect(try roundTrip(values) == values)
        #expect([String?].postgresType == .textArray)
    }

    @Test func emptyArrayRoundTrips() throws {
        #expect(try roundTrip([Int64]()) == [])
        #expect(try roundTrip([UUID]()) == [])
    }

    @Test func nullElementInNonOptionalArrayThrows() throws {
        let bytes = try encoded([Int64?.some(1), nil])
        #expect(throws: PostgresDecodingError.self) { try decoded([Int64].self, bytes, as: .int8Array) }
    }

    @Test func multiDimensionalArraysAreRejected() throws {
        let twoDimensions: [UInt8] = [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]
        let error = #expect(throws: PostgresDecodingError.self) { try decoded([Int32].self, twoDimensions, as: .int4Array) }
        #expect(error?.code == .typeMismatch)
    }

    /// An array header: ndim, has-null flag, element OID, then (length, lower bound) when ndim is 1.
    static func arrayHeader(dimensions: Int32 = 1, flags: Int32 = 0, elementType: UInt32 = 20,
                            count: Int32, lowerBound: Int32 = 1) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in [UInt32(bitPattern: dimensions), UInt32(bitPattern: flags), elementType] {
            bytes += withUnsafeBytes(of: value.bigEndian) { Array($0) }
        }
        if dimensions == 1 {
            for value in [count, lowerBound] { bytes += withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        }
        return bytes
    }

    /// Reached only if the decoder started on the elements.
    struct ElementDecoded: Error {}

    /// An element type that is large in memory and fails the moment one is decoded.
    struct WideElement: PostgresArrayElement {
        var payload: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                      Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                      Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                      Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)
        static var postgresType: PostgresDataType { .int8 }
        static var postgresArrayType: PostgresDataType { .int8Array }
        func encode(into buffer: inout PostgresEncodingBuffer) throws {}
        init(from cell: PostgresCell) throws { throw ElementDecoded() }
    }

    @Test func hostileElementCountIsRejectedWithoutAllocating() throws {
        // 2^31-1 elements of 256 bytes would reserve 512 GiB; the cell has room for none.
        #expect(MemoryLayout<WideElement>.stride == 256)
        let cell = Self.arrayHeader(count: Int32.max)
        let error = #expect(throws: PostgresDecodingError.self) { try decoded([WideElement].self, cell, as: .int8Array) }
        #expect(error?.code == .invalidValue)
        let int8 = #expect(throws: PostgresDecodingError.self) { try decoded([Int64].self, cell, as: .int8Array) }
        #expect(int8?.code == .invalidValue)
    }

    @Test func declaredCountIsCheckedBeforeAnyElementIsDecoded() throws {
        // One 8-byte element present, 1,000 declared: reject up front, not after decoding one.
        let cell = Self.arrayHeader(count: 1_000) + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]
        let error = #expect(throws: PostgresDecodingError.self) { try decoded([WideElement].self, cell, as: .int8Array) }
        #expect(error?.code == .invalidValue)
        // Exactly as many NULL elements as declared still decode.
        let nulls = Self.arrayHeader(flags: 1, count: 3) + Array(repeating: 0xFF, count: 12)
        #expect(try decoded([Int64?].self, nulls, as: .int8Array) == [nil, nil, nil])
        #expect(throws: PostgresDecodingError.self) {
            try decoded([Int64?].self, Self.arrayHeader(flags: 1, count: 4) + Array(repeating: 0xFF, count: 12), as: .int8Array)
        }
    }

    @Test func malformedArrayHeadersAreRejected() throws {
        let element: [UInt8] = [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(try decoded([Int64].self, Self.arrayHeader(count: 1) + element, as: .int8Array) == [1])
        // PostgreSQL writes lower bounds other than 1 ('[0:0]={1}'); a Swift array starts at 0 anyway.
        #expect(try decoded([Int64].self, Self.arrayHeader(count: 1, lowerBound: 0) + element, as: .int8Array) == [1])
        let cases: [[UInt8]] = [
            Self.arrayHeader(flags: 2, count: 1) + element,
            Self.arrayHeader(flags: -1, count: 1) + element,
            Self.arrayHeader(dimensions: -1, count: 0),
            Self.arrayHeader(count: 2, lowerBound: Int32.max) + element + element,
            Self.arrayHeader(count: -1),
            Self.arrayHeader(count: 1) + element + [0],
        ]
        for cell in cases {
            let error = #expect(throws: PostgresDecodingError.self) { try decoded([Int64].self, cell, as: .int8Array) }
            #expect(error?.code == .invalidValue)
        }
    }

    struct Settings: Codable, Equatable, Sendable {
        var theme: String
        var nested: [String: [Int]]
    }

    @Test func jsonbRoundTrips() throws {
        let settings = Settings(theme: "dark", nested: ["a": [1, 2]])
        let bytes = try #require(try encoded(PostgresJSON(settings)) as [UInt8]?)
        #expect(bytes.first == 1)
        #expect(try roundTrip(PostgresJSON(settings)).value == settings)
        #expect(try decoded(PostgresJSON<Settings>.self, Array(bytes.dropFirst()), as: .json).value == settings)
    }

    enum Mood: String, Codable, PostgresCodable, PostgresArrayElement { case happy, sad }

    @Test func stringEnumsLetTheServerInferTheType() throws {
        #expect(Mood.postgresType == .unspecified)
        #expect(try encoded(Mood.sad) == Array("sad".utf8))
        #expect(try decoded(Mood.self, Array("happy".utf8), as: PostgresDataType(rawValue: 16_384)) == .happy)
        let error = #expect(throws: PostgresDecodingError.self) { try decoded(Mood.self, Array("angry".utf8), as: .text) }
        #expect(error?.code == .invalidValue)
        #expect([Mood].postgresType == .textArray)
        #expect(try roundTrip([Mood.happy, .sad]) == [.happy, .sad])
    }
}
