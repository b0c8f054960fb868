import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Tusk
import UnixSignals

/// The blog API: a Hummingbird 2 server over a Tusk pool, both run by one `ServiceGroup`.
///
///     DATABASE_URL=postgres://… blog-api [--host 127.0.0.1] [--port 8080]
///
/// `--port 0` picks a free port, which the `listening` log line names. The port can also come
/// from `PORT`, the pool's size from `BLOG_POOL_SIZE` (default 10), the log level from
/// `LOG_LEVEL` (default info). Logs go to stderr. SIGTERM and SIGINT shut down gracefully: the
/// server stops taking requests and finishes the ones in flight, then the pool closes.
@main
struct BlogAPI {
    static func main() async {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = {
            var logger = Logger(label: "blog-api")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return logger
        }()

        let settings: Settings
        do {
            settings = try Settings(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.critical("\(error)")
            logger.critical("usage: DATABASE_URL=postgres://… blog-api [--host HOST] [--port PORT]")
            exit(64)
        }

        let pool = ConnectionPool(configuration: settings.pool, logger: logger)
        let (host, port) = (settings.host, settings.port)
        var app = Application(
            router: makeRouter(pool: pool),
            configuration: .init(address: .hostname(host, port: port), serverName: "blog-api"),
            onServerRunning: { channel in
                logger.info("listening", metadata: ["host": "\(host)", "port": "\(channel.localAddress?.port ?? port)"])
            },
            logger: logger
        )
        // The server binds only once the tables exist, so a 200 from /health means ready.
        app.beforeServerStarts {
            try await BlogSchema.create(in: pool)
            logger.info("schema ready", metadata: ["schema": "\(blogSchema)"])
        }

        // Shut down in reverse order: the server first (finishing the requests in flight), then
        // the pool it leases from (`ConnectionPool` is a `Service`: its run() closes it).
        let services = ServiceGroup(configuration: .init(
            services: [pool, app],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        do {
            try await services.run()
        } catch {
            // A database that cannot be reached at start-up, a port that is taken, …
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            exit(1)
        }
        logger.info("stopped")
    }

    /// The router: every route behind ``ErrorMiddleware``.
    static func makeRouter(pool: ConnectionPool) -> Router<BlogRequestContext> {
        let router = Router(context: BlogRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: LogRequestsMiddleware(.debug))
        BlogController(pool: pool).addRoutes(to: router)
        return router
    }
}

/// The request context of every route: Hummingbird's basics, with snake_case keys in responses
/// (`author_id`, `created_at`) and room for a bulk import in the body.
struct BlogRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// 8 MiB: about 20,000 posts of a paragraph each in one import.
    var maxUploadSize: Int { 8 << 20 }

    var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

/// Where to listen and which database to use, from the arguments and the environment.
struct Settings {
    /// A setting that is missing or does not parse.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    var host = "127.0.0.1"
    var port = 8080
    var pool: PoolConfiguration

    init(arguments: [String], environment: [String: String]) throws {
        if let value = environment["PORT"] { port = try Self.port(value) }
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--host":
                guard let value = remaining.popFirst() else { throw Invalid(description: "--host needs a value") }
                host = value
            case "--port":
                guard let value = remaining.popFirst() else { throw Invalid(description: "--port needs a value") }
                port = try Self.port(value)
            default:
                throw Invalid(description: "unknown argument \(argument.debugDescription)")
            }
        }
        guard environment["DATABASE_URL"] != nil else { throw Invalid(description: "DATABASE_URL is not set") }
        pool = PoolConfiguration(connection: try .fromEnvironment())
        pool.minConnections = 1
        if let value = environment["BLOG_POOL_SIZE"] {
            guard let size = Int(value), size > 0 else { throw Invalid(description: "BLOG_POOL_SIZE must be a positive integer, got \(value.debugDescription)") }
            pool.maxConnections = size
        } else {
            pool.maxConnections = 10
        }
        pool.acquireTimeout = .seconds(5)
        pool.connection.settings["statement_timeout"] = "10s"
    }

    private static func port(_ value: String) throws -> Int {
        guard let port = Int(value), (0...65535).contains(port) else { throw Invalid(description: "not a port: \(value.debugDescription)") }
        return port
    }
}
