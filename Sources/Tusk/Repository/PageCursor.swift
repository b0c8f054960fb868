import Foundation

/// Where the next keyset page starts: the sort-key values of the last row served, as an opaque
/// URL-safe token. It encodes to JSON as that one string and comes back in a query parameter.
///
/// ```swift
/// let cursor = try request.query["cursor"].map { try PageCursor(token: $0) }   // bad token: RequestParameterError
/// let page = try await posts.page(orderBy: [.desc(\.publishedAt), .asc(\.id)], after: cursor, limit: 20)
/// ```
///
/// A token is not signed: a client can build one by hand. Tusk checks that it parses, that
/// its columns are the listing's sort columns, and that each value is well-formed for its type
/// (and of the sort key's type, for keys built from key paths), so a forged token is a
/// ``RequestParameterError`` rather than a failed statement. Its values are bound like any other.
public struct PageCursor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The sort-key values, in sort-key order.
    let fields: [EncodedRow.Field]
    /// The parameter the token came in, for errors found when it is used.
    let parameter: String

    /// The opaque token: base64url, no padding.
    public let token: String

    /// The longest token accepted, in bytes: sort keys are a few columns, not documents.
    public static let maximumTokenLength = 4_096

    init(fields: [EncodedRow.Field]) {
        self.fields = fields
        parameter = "cursor"
        token = Self.encodeToken(fields)
    }

    /// A cursor from the token a client sent back.
    ///
    /// - Throws: ``RequestParameterError`` with `invalidValue`, naming `parameter`, for a token
    ///   this API did not issue.
    public init(token: String, parameter: String = "cursor") throws {
        guard let fields = Self.decodeToken(token) else {
            throw RequestParameterError(parameter: parameter, .invalidValue,
                                        "\(RequestParameterError.quoted(token)) is not a page cursor this API issued")
        }
        self.fields = fields
        self.parameter = parameter
        self.token = token
    }

    /// Decodes the token string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let token = try container.decode(String.self)
        guard let fields = Self.decodeToken(token) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a page cursor")
        }
        self.fields = fields
        parameter = "cursor"
        self.token = token
    }

    /// Encodes the token string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(token)
    }

    /// The token.
    public var description: String { token }

    /// Cursors are equal when their tokens are.
    public static func == (lhs: PageCursor, rhs: PageCursor) -> Bool { lhs.token == rhs.token }

    /// Hashes the token.
    public func hash(into hasher: inout Hasher) { hasher.combine(token) }

    // MARK: - Internal

    /// The value for the sort key `order` at `index`.
    ///
    /// - Throws: ``RequestParameterError`` when the cursor was made for other sort keys.
    func field<M>(for order: Order<M>, at index: Int, of count: Int) throws -> EncodedRow.Field {
        guard fields.count == count, fields[index].column == order.column,
              order.valueType.map({ $0 == fields[index].type }) ?? true
        else {
            throw RequestParameterError(parameter: parameter, .invalidValue, "the cursor was issued for another sort order")
        }
        return fields[index]
    }

    /// Whether a cursor can carry this value: a NULL or a type outside the common scalar ones
    /// (bool, integers, floats, text, uuid, dates) cannot be a keyset position.
    static func canCarry(_ field: EncodedRow.Field) -> Bool {
        field.bytes.map { isWellFormed($0, as: field.type) } ?? false
    }

    // MARK: - Private

    private struct Entry: Codable {
        var c: String
        var t: UInt32
        var v: Data
    }

    private static func encodeToken(_ fields: [EncodedRow.Field]) -> String {
        let entries = fields.map { Entry(c: $0.column, t: $0.type.rawValue, v: Data($0.bytes ?? [])) }
        // Encoding plain strings, integers and data cannot fail.
        let json = (try? JSONEncoder().encode(entries)) ?? Data()
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func decodeToken(_ token: String) -> [EncodedRow.Field]? {
        guard !token.isEmpty, token.utf8.count <= maximumTokenLength else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let json = Data(base64Encoded: base64),
              let entries = try? JSONDecoder().decode([Entry].self, from: json), !entries.isEmpty
        else { return nil }
        var fields: [EncodedRow.Field] = []
        for entry in entries {
            let type = PostgresDataType(rawValue: entry.t)
            let bytes = [UInt8](entry.v)
            guard !entry.c.isEmpty, isWellFormed(bytes, as: type) else { return nil }
            fields.append(EncodedRow.Field(column: entry.c, key: entry.c, type: type, bytes: bytes))
        }
        return fields
    }

    /// Whether `bytes` is a binary value the server accepts for `type`: a forged value must not
    /// reach the server as a statement that fails (which would end a session's transaction).
    private static func isWellFormed(_ bytes: [UInt8], as type: PostgresDataType) -> Bool {
        switch type {
        case .bool: return bytes.count == 1 && bytes[0] <= 1
        case .int2: return bytes.count == 2
        case .int4, .float4, .date: return bytes.count == 4
        case .int8, .float8, .timestamptz, .timestamp: return bytes.count == 8
        case .uuid: return bytes.count == 16
        case .text, .varchar, .bpchar, .name: return !bytes.contains(0) && String(validating: bytes, as: UTF8.self) != nil
        default: return false
        }
    }
}
