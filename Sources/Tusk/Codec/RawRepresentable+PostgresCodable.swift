// Enums and other `RawRepresentable` types conform by declaring it; the raw value does the work:
//
//     enum Mood: String, Codable, PostgresCodable, PostgresArrayElement { case happy, sad }

extension PostgresEncodable where Self: RawRepresentable, RawValue: PostgresEncodable {
    /// The raw value's type, except that text is left for the server to infer, so a
    /// String-backed enum binds to `text` and to PostgreSQL `ENUM` columns alike.
    public static var postgresType: PostgresDataType {
        RawValue.postgresType == .text ? .unspecified : RawValue.postgresType
    }

    /// Appends the raw value.
    @inline(__always)
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        try rawValue.encode(into: &buffer)
    }
}

extension PostgresDecodable where Self: RawRepresentable, RawValue: PostgresDecodable {
    /// Decodes the raw value and looks up the case.
    ///
    /// - Throws: ``PostgresDecodingError/Code/invalidValue`` when no case has that raw value.
    public init(from cell: PostgresCell) throws {
        let raw = try RawValue(from: cell)
        guard let value = Self(rawValue: raw) else {
            throw PostgresDecodingError(.invalidValue, swiftType: Self.self, postgresType: cell.type,
                                        message: "\(Self.self) has no case with raw value \(raw)")
        }
        self = value
    }
}

extension PostgresArrayElement where Self: RawRepresentable, RawValue: PostgresArrayElement {
    /// The raw value's array type (`text[]` for String-backed enums).
    public static var postgresArrayType: PostgresDataType { RawValue.postgresArrayType }
}
