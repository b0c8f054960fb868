import Testing
@testable import Tusk

/// Encodes `value` with its own codec, converts the bytes, and returns them (nil for NULL).
func converted(_ value: some PostgresEncodable, _ step: PostgresBinaryConversion.Step,
               arrayElementType: PostgresDataType? = nil) throws -> [UInt8]? {
    var buffer = PostgresEncodingBuffer()
    try buffer.appendField(value, converting: PostgresBinaryConversion(step: step, arrayElementType: arrayElementType))
    let length = Int(Int32(bigEndian: buffer.bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
    return length < 0 ? nil : Array(buffer.bytes.dropFirst(4))
}

/// Converts `value` and decodes the result as `T`, read as PostgreSQL type `type`.
func convert<T: PostgresDecodable>(_ value: some PostgresEncodable, _ step: PostgresBinaryConversion.Step,
                                   as type: PostgresDataType, to swiftType: T.Type) throws -> T {
    try decoded(T.self, converted(value, step), as: type)
}

/// The numeric text of `value` converted to `numeric`.
func numericText(_ value: some PostgresEncodable, _ step: PostgresBinaryConversion.Step) throws -> String {
    try convert(value, step, as: .numeric, to: PostgresNumeric.self).description
}

/// A column type for tests.
func column(_ name: String, _ type: PostgresDataType, sql: String? = nil, baseSQL: String? = nil, isEnum: Bool = false, textReceive: Bool = false,
            declared: PostgresDataType? = nil, element: PostgresDataType? = nil, elementDeclared: PostgresDataType? = nil,
            elementIsEnum: Bool = false) -> PostgresColumnType {
    PostgresColumnType(
        column: name, declared: declared ?? type, declaredSQL: sql ?? type.description,
        base: PostgresColumnType.BaseType(oid: type, sqlName: baseSQL ?? sql ?? type.description, isEnum: isEnum, hasTextReceive: textReceive),
        element: element.map { PostgresColumnType.BaseType(oid: $0, sqlName: $0.description, isEnum: elementIsEnum) },
        elementDeclared: elementDeclared ?? element)
}
