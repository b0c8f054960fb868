/// A PostgreSQL data type, identified by its OID (`pg_type.oid`).
///
/// Built-in types have names (`.int8`, `.text`, `.timestamptz`, …). Types created in a database
/// (enums, domains, extensions such as `citext`) have OIDs assigned at creation; they still
/// work through `PostgresDataType(rawValue:)` and decode as text where their binary form is text.
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type's OID.
    public let rawValue: UInt32

    /// Creates a type from its OID.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A parameter type left for the server to infer from the statement (OID 0).
    ///
    /// String-backed enums travel this way, so they bind to `text` columns and to PostgreSQL
    /// `ENUM` columns alike.
    public static let unspecified = PostgresDataType(rawValue: 0)

    public static let bool = PostgresDataType(rawValue: 16)
    public static let bytea = PostgresDataType(rawValue: 17)
    public static let char = PostgresDataType(rawValue: 18)
    public static let name = PostgresDataType(rawValue: 19)
    public static let int8 = PostgresDataType(rawValue: 20)
    public static let int2 = PostgresDataType(rawValue: 21)
    public static let int4 = PostgresDataType(rawValue: 23)
    public static let regproc = PostgresDataType(rawValue: 24)
    public static let text = PostgresDataType(rawValue: 25)
    public static let oid = PostgresDataType(rawValue: 26)
    public static let json = PostgresDataType(rawValue: 114)
    public static let xml = PostgresDataType(rawValue: 142)
    public static let float4 = PostgresDataType(rawValue: 700)
    public static let float8 = PostgresDataType(rawValue: 701)
    public static let unknown = PostgresDataType(rawValue: 705)
    public static let money = PostgresDataType(rawValue: 790)
    public static let bpchar = PostgresDataType(rawValue: 1042)
    public static let varchar = PostgresDataType(rawValue: 1043)
    public static let date = PostgresDataType(rawValue: 1082)
    public static let time = PostgresDataType(rawValue: 1083)
    public static let timestamp = PostgresDataType(rawValue: 1114)
    public static let timestamptz = PostgresDataType(rawValue: 1184)
    public static let interval = PostgresDataType(rawValue: 1186)
    public static let numeric = PostgresDataType(rawValue: 1700)
    public static let record = PostgresDataType(rawValue: 2249)
    public static let void = PostgresDataType(rawValue: 2278)
    public static let uuid = PostgresDataType(rawValue: 2950)
    public static let jsonb = PostgresDataType(rawValue: 3802)

    public static let boolArray = PostgresDataType(rawValue: 1000)
    public static let byteaArray = PostgresDataType(rawValue: 1001)
    public static let charArray = PostgresDataType(rawValue: 1002)
    public static let nameArray = PostgresDataType(rawValue: 1003)
    public static let int2Array = PostgresDataType(rawValue: 1005)
    public static let int4Array = PostgresDataType(rawValue: 1007)
    public static let textArray = PostgresDataType(rawValue: 1009)
    public static let bpcharArray = PostgresDataType(rawValue: 1014)
    public static let varcharArray = PostgresDataType(rawValue: 1015)
    public static let int8Array = PostgresDataType(rawValue: 1016)
    public static let float4Array = PostgresDataType(rawValue: 1021)
    public static let float8Array = PostgresDataType(rawValue: 1022)
    public static let oidArray = PostgresDataType(rawValue: 1028)
    public static let timestampArray = PostgresDataType(rawValue: 1115)
    public static let dateArray = PostgresDataType(rawValue: 1182)
    public static let timestamptzArray = PostgresDataType(rawValue: 1185)
    public static let numericArray = PostgresDataType(rawValue: 1231)
    public static let uuidArray = PostgresDataType(rawValue: 2951)
    public static let jsonArray = PostgresDataType(rawValue: 199)
    public static let jsonbArray = PostgresDataType(rawValue: 3807)

    /// The lowest OID PostgreSQL assigns to objects created in a database (enums, domains, …).
    static let firstNormalObjectID: UInt32 = 16384

    /// The type's SQL name for built-in types (`int8`, `text[]`), or `oid <n>`.
    public var description: String {
        Self.names[rawValue] ?? "oid \(rawValue)"
    }

    /// Whether the binary form of this type is plain UTF-8 text: text-like built-ins, `unknown`,
    /// and types created in the database (enums, `citext`), whose binary form is their label.
    var hasTextualBinaryForm: Bool {
        switch self {
        case .text, .varchar, .bpchar, .name, .unknown, .json, .xml: true
        default: rawValue >= Self.firstNormalObjectID
        }
    }

    /// For a built-in array type, its element type (`int8` for `int8[]`); nil for any other type.
    var arrayElementType: PostgresDataType? {
        Self.elementTypes[rawValue].map(PostgresDataType.init(rawValue:))
    }

    private static let elementTypes: [UInt32: UInt32] = [
        1000: 16, 1001: 17, 1002: 18, 1003: 19, 1005: 21, 1007: 23, 1009: 25, 1014: 1042, 1015: 1043,
        1016: 20, 1021: 700, 1022: 701, 1028: 26, 1115: 1114, 1182: 1082, 1185: 1184, 1231: 1700,
        2951: 2950, 199: 114, 3807: 3802,
    ]

    private static let names: [UInt32: String] = [
        0: "unspecified", 16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2",
        23: "int4", 24: "regproc", 25: "text", 26: "oid", 114: "json", 142: "xml", 700: "float4",
        701: "float8", 705: "unknown", 790: "money", 1042: "bpchar", 1043: "varchar", 1082: "date",
        1083: "time", 1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1700: "numeric",
        2249: "record", 2278: "void", 2950: "uuid", 3802: "jsonb", 1000: "bool[]", 1001: "bytea[]",
        1002: "char[]", 1003: "name[]", 1005: "int2[]", 1007: "int4[]", 1009: "text[]",
        1014: "bpchar[]", 1015: "varchar[]", 1016: "int8[]", 1021: "float4[]", 1022: "float8[]",
        1028: "oid[]", 1115: "timestamp[]", 1182: "date[]", 1185: "timestamptz[]",
        1231: "numeric[]", 2951: "uuid[]", 199: "json[]", 3807: "jsonb[]",
    ]
}
