import Hummingbird
import Logging
import Tusk

/// An error a client can act on: an HTTP status, a stable code and a readable message, written
/// as `{"error": {"code": "unknown_author", "message": "…"}}`.
///
/// Handlers throw it for what they check themselves; ``ErrorMiddleware`` turns every other
/// error — Hummingbird's decoding errors, Tusk's typed errors — into one.
struct APIError: HTTPResponseError {
    /// The response status.
    var status: HTTPResponse.Status
    /// A machine-readable code: `invalid_json`, `not_found`, `unknown_author`, ….
    var code: String
    /// What went wrong, for a person.
    var message: String

    /// The request body is not JSON, or not the JSON the endpoint takes.
    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    /// The request is well formed but a value is not acceptable.
    static func invalid(_ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_value", message: message)
    }

    /// Nothing exists at this address.
    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(Body(error: .init(code: code, message: message)),
                                                          from: request, context: context)
        response.status = status
        return response
    }
}

extension APIError {
    /// The client-facing form of any error a handler threw. Errors that are the server's fault
    /// (a bug, a lost database) are logged with their details and answered without them.
    init(mapping error: any Error, logger: Logger) {
        switch error {
        case let error as APIError:
            self = error
        case let error as HTTPError:
            // Hummingbird's own: a body that does not decode, a path parameter of the wrong type,
            // a route that does not exist.
            self.init(status: error.status, code: Self.code(for: error.status),
                      message: error.body ?? error.status.reasonPhrase)
        case let error as PostgresError:
            self.init(mapping: error, logger: logger)
        case let error as RepositoryError where error.code == .unknownColumn || error.code == .invalidArgument:
            self = .badRequest(error.message)
        case let error as PostgresEncodingError
            where error.code == .nulInText || error.code == .outOfRange || error.code == .valueTooLarge:
            self = .invalid(error.message)
        case is NotFoundError:
            self = .notFound("no such row")
        case let error as PoolError:
            logger.error("database pool unavailable", metadata: ["error": "\(error)"])
            self.init(status: .serviceUnavailable, code: "database_unavailable", message: "the database is busy or unavailable; retry later")
        case let error as ConnectionError:
            logger.error("database connection failed", metadata: ["error": "\(error)"])
            self.init(status: .serviceUnavailable, code: "database_unavailable", message: "the database is unavailable; retry later")
        case let error as SessionError where error.code == .commitOutcomeUnknown:
            logger.error("commit outcome unknown", metadata: ["error": "\(error)"])
            self.init(status: .serviceUnavailable, code: "outcome_unknown",
                      message: "the connection was lost while committing; check whether the change was made before retrying")
        default:
            logger.error("unhandled error", metadata: ["error": "\(error)", "type": "\(type(of: error))"])
            self.init(status: .internalServerError, code: "internal_error", message: "internal error")
        }
    }

    /// What the server refused, by SQLSTATE: constraint violations and bad values are the
    /// client's; anything else is ours.
    private init(mapping error: PostgresError, logger: Logger) {
        let detail = error.detail ?? error.message
        switch error.sqlState {
        case .foreignKeyViolation where error.constraint == "posts_author_id_fkey":
            self.init(status: .unprocessableContent, code: "unknown_author", message: "no such author: \(detail)")
        case .foreignKeyViolation:
            self.init(status: .unprocessableContent, code: "foreign_key_violation", message: detail)
        case .uniqueViolation:
            self.init(status: .conflict, code: "conflict", message: detail)
        case .notNullViolation, .checkViolation:
            self.init(status: .unprocessableContent, code: "invalid_value", message: error.message)
        default:
            if error.sqlState.class == .dataException {
                self.init(status: .unprocessableContent, code: "invalid_value", message: error.message)
            } else {
                logger.error("database error", metadata: ["error": "\(error)"])
                self.init(status: .internalServerError, code: "database_error", message: "internal error")
            }
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "too_large"
        default: "http_\(status.code)"
        }
    }
}

/// Turns whatever a route throws into an ``APIError`` response, so every failure reaches the
/// client as the same JSON shape with a fitting status.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = APIError(mapping: error, logger: context.logger)
            if mapped.status.kind == .clientError {
                context.logger.info("request refused", metadata: ["status": "\(mapped.status.code)", "code": "\(mapped.code)"])
            }
            return try mapped.response(from: request, context: context)
        }
    }
}
