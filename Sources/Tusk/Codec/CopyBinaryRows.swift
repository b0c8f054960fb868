/// Rows of a binary COPY stream (`COPY … TO STDOUT (FORMAT binary)`), parsed in place from a batch
/// of bytes, readable like a query result. Column names and types come from a description of the
/// query, since binary COPY carries neither.
final class CopyBinaryRows: PostgresRowStorage {
    /// The batch, copied once into memory whose address is stable while cells are read.
    private let storage: StableBytes
    let names: [String]
    let types: [PostgresDataType]
    /// Per row and column: the field's offset in `bytes`, and its length (-1 for NULL).
    // Immutable after init: reading a `var` of a class would check exclusivity on every cell.
    private let offsets: [Int32]
    private let lengths: [Int32]
    let rowCount: Int
    /// Whether the trailer (the end of the data) was in this batch.
    let sawTrailer: Bool

    static let signature: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]

    /// Parses a batch; `expectHeader` for the first batch of a COPY.
    init(bytes: [UInt8], names: [String], types: [PostgresDataType], expectHeader: Bool) throws {
        storage = StableBytes(bytes)
        self.names = names
        self.types = types
        let columnCount = names.count
        var offsets: [Int32] = []
        var lengths: [Int32] = []
        var rowCount = 0
        var sawTrailer = false
        try bytes.withUnsafeBytes { raw in
            var position = 0
            func read<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
                guard position + MemoryLayout<T>.size <= raw.count else {
                    throw PostgresDecodingError(.invalidValue, swiftType: T.self, postgresType: nil, message: "truncated binary COPY data")
                }
                defer { position += MemoryLayout<T>.size }
                return T(bigEndian: raw.loadUnaligned(fromByteOffset: position, as: T.self))
            }
            if expectHeader {
                guard raw.count >= 19, Array(raw[0..<11]) == Self.signature else {
                    throw PostgresDecodingError(.invalidValue, swiftType: Self.self, postgresType: nil, message: "not a binary COPY stream")
                }
                position = 15
                let extensionLength = Int(try read(Int32.self))
                position += extensionLength
            }
            offsets.reserveCapacity(columnCount * 256)
            lengths.reserveCapacity(columnCount * 256)
            while position < raw.count {
                let fields = Int(try read(Int16.self))
                if fields == -1 {
                    sawTrailer = true
                    break
                }
                guard fields == columnCount else {
                    throw PostgresDecodingError(.invalidValue, swiftType: Self.self, postgresType: nil,
                                                message: "a COPY row of \(fields) fields where the query has \(columnCount) columns")
                }
                for _ in 0..<fields {
                    let length = try read(Int32.self)
                    guard length >= -1 else {
                        throw PostgresDecodingError(.invalidValue, swiftType: Self.self, postgresType: nil, message: "negative COPY field length")
                    }
                    offsets.append(Int32(position))
                    lengths.append(length)
                    if length > 0 {
                        guard position + Int(length) <= raw.count else {
                            throw PostgresDecodingError(.invalidValue, swiftType: Self.self, postgresType: nil, message: "truncated COPY field")
                        }
                        position += Int(length)
                    }
                }
                rowCount += 1
            }
        }
        self.offsets = offsets
        self.lengths = lengths
        self.rowCount = rowCount
        self.sawTrailer = sawTrailer
    }

    var columnCount: Int { names.count }
    func columnName(_ column: Int) -> String { names.indices.contains(column) ? names[column] : "" }
    func columnType(_ column: Int) -> PostgresDataType { types.indices.contains(column) ? types[column] : .unspecified }

    /// The cell's bytes, nil for NULL and for a cell outside the batch (decoders check columns
    /// before they read, so that only guards against misuse).
    @inline(__always)
    func cellBytes(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        guard row >= 0, row < rowCount, column >= 0, column < names.count else { return nil }
        let index = row * names.count + column
        let length = Int(lengths[index])
        if length < 0 { return nil }
        return UnsafeRawBufferPointer(rebasing: storage.buffer[Int(offsets[index])..<(Int(offsets[index]) + length)])
    }

    /// Decodes every row of the batch as `T`.
    func decode<T: Decodable>(_ type: T.Type, keyMapping: KeyMapping) throws -> [T] {
        if let declared = try DeclaredModelDecoding.decode(T.self, from: .copy(self), rows: 0..<rowCount) { return declared }
        let context = RowDecodingContext(storage: self, keyMapping: keyMapping)
        var values: [T] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            context.start(row: row)
            values.append(try context.decodeRow(T.self))
        }
        return values
    }
}

/// Bytes at a fixed address for as long as the object lives.
final class StableBytes {
    let buffer: UnsafeRawBufferPointer

    init(_ bytes: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: copy[0..<bytes.count])
    }

    deinit {
        UnsafeMutableRawBufferPointer(mutating: buffer).deallocate()
    }
}
