/// Which slice of a listing a request asks for: Advanced Alchemy's `LimitOffset`, with bounds.
///
/// ```swift
/// let window = try LimitOffset(limit: request.query["limit"], offset: request.query["offset"])   // "-1" throws
/// let page = try await posts.page(orderBy: [.asc(\.id)], limitOffset: window)
/// ```
///
/// A limit above the maximum is an error, never quietly cut down: the client learns what it
/// will get.
public struct LimitOffset: Sendable, Hashable, Codable {
    /// At most this many rows.
    public var limit: Int
    /// Rows skipped before the first one returned.
    public var offset: Int

    /// The limit when a request names none: 20.
    public static let defaultLimit = 20
    /// The largest limit a request may ask for unless the caller says otherwise: 100, as
    /// ``ListLimit/default``.
    public static let defaultMaximumLimit = 100

    /// A slice from numbers the code chose.
    ///
    /// - Throws: ``RepositoryError`` with `invalidArgument` for a negative limit or offset, or a
    ///   limit above `maximumLimit`.
    public init(limit: Int = LimitOffset.defaultLimit, offset: Int = 0, maximumLimit: Int = LimitOffset.defaultMaximumLimit) throws {
        if let problem = Self.problem(limit: limit, offset: offset, maximumLimit: maximumLimit) {
            throw RepositoryError(.invalidArgument, problem.message)
        }
        self.limit = limit
        self.offset = offset
    }

    /// A slice from a request's query parameters; a missing one takes its default.
    ///
    /// - Throws: ``RequestParameterError`` naming `limitParameter` or `offsetParameter`:
    ///   `invalidValue` for text that is not an integer, `outOfRange` for a negative number or a
    ///   limit above `maximumLimit`.
    public init(limit: String?, offset: String?, defaultLimit: Int = LimitOffset.defaultLimit,
                maximumLimit: Int = LimitOffset.defaultMaximumLimit,
                limitParameter: String = "limit", offsetParameter: String = "offset") throws {
        let limitValue = try Self.integer(limit, default: defaultLimit, parameter: limitParameter)
        let offsetValue = try Self.integer(offset, default: 0, parameter: offsetParameter)
        if let problem = Self.problem(limit: limitValue, offset: offsetValue, maximumLimit: maximumLimit) {
            throw RequestParameterError(parameter: problem.isLimit ? limitParameter : offsetParameter, .outOfRange, problem.message)
        }
        self.limit = limitValue
        self.offset = offsetValue
    }

    /// Decodes a slice and checks it as ``init(limit:offset:maximumLimit:)`` does, with the
    /// default maximum: a request body cannot carry what a query string could not.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let limit = try container.decodeIfPresent(Int.self, forKey: .limit) ?? Self.defaultLimit
        let offset = try container.decodeIfPresent(Int.self, forKey: .offset) ?? 0
        if let problem = Self.problem(limit: limit, offset: offset, maximumLimit: Self.defaultMaximumLimit) {
            throw DecodingError.dataCorruptedError(forKey: problem.isLimit ? .limit : .offset, in: container,
                                                   debugDescription: problem.message)
        }
        self.limit = limit
        self.offset = offset
    }

    // MARK: - Private

    private enum CodingKeys: String, CodingKey {
        case limit, offset
    }

    private static func integer(_ text: String?, default value: Int, parameter: String) throws -> Int {
        guard let text else { return value }
        guard let number = Int(requestText: text) else {
            throw RequestParameterError(parameter: parameter, .invalidValue, "\(RequestParameterError.quoted(text)) is not an integer")
        }
        return number
    }

    private static func problem(limit: Int, offset: Int, maximumLimit: Int) -> (isLimit: Bool, message: String)? {
        if limit < 0 { return (true, "a limit cannot be negative (\(limit))") }
        if limit > maximumLimit { return (true, "a limit cannot be above \(maximumLimit) (\(limit))") }
        if offset < 0 { return (false, "an offset cannot be negative (\(offset))") }
        return nil
    }
}
