/// A pre-encoded one-dimensional array, bound as one parameter.
struct PostgresArrayValue: PostgresEncodable {
    let elementType: PostgresDataType
    let count: Int
    let hasNull: Bool
    let elements: [UInt8]

    static var postgresType: PostgresDataType { .unspecified }

    func encode(into buffer: inout PostgresEncodingBuffer) {
        buffer.append(bigEndian: Int32(count == 0 ? 0 : 1))
        buffer.append(bigEndian: Int32(hasNull ? 1 : 0))
        buffer.append(bigEndian: elementType.rawValue)
        if count > 0 {
            buffer.append(bigEndian: Int32(count))
            buffer.append(bigEndian: Int32(1))
            buffer.append(contentsOf: elements)
        }
    }
}

extension PostgresDataType {
    /// SQL spellings of built-in element types, for casts.
    static let sqlNames: [UInt32: String] = [
        16: "bool", 17: "bytea", 18: "\"char\"", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text", 26: "oid",
        114: "json", 700: "float4", 701: "float8", 1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time",
        1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1700: "numeric", 2950: "uuid", 3802: "jsonb",
    ]
}
