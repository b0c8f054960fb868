import Tracing

extension Connection {
    /// Runs `body` as one observed database operation: a client span when a tracer is active
    /// (bootstrapped, or bound with `withTracer`), and a `db.client.operation.duration` sample.
    ///
    /// Without a tracer this costs a tracer lookup (``ActiveTracer``), the statement's first
    /// keyword and two clock reads: no span, no task-local.
    nonisolated func observed<T>(_ operation: ObservedOperation, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        let span = ActiveTracer.current.map { startSpan(operation, on: $0) }
        defer { span?.end() }
        do {
            let result = try await body()
            operationMetrics.record(ContinuousClock.now - start, operation: operation.name, errorType: nil)
            return result
        } catch {
            let type = ObservedOperation.errorType(error)
            if let span {
                span.attributes["error.type"] = type
                if let error = error as? PostgresError { span.attributes["db.response.status_code"] = error.sqlState.rawValue }
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error))
            }
            operationMetrics.record(ContinuousClock.now - start, operation: operation.name, errorType: type)
            throw error
        }
    }

    /// A client span named `{db.operation.name} {db.namespace}`, as the conventions name a span
    /// whose table is not known (`postgresql` when the statement has no keyword), with the
    /// operation's attributes.
    private nonisolated func startSpan(_ operation: ObservedOperation, on tracer: any Tracer) -> any Span {
        let name = operation.name.map { name in endpoint.namespace.map { "\(name) \($0)" } ?? name } ?? "postgresql"
        let span = tracer.startSpan(name, ofKind: .client)
        span.attributes["db.system.name"] = "postgresql"
        if let namespace = endpoint.namespace { span.attributes["db.namespace"] = namespace }
        if let name = operation.name { span.attributes["db.operation.name"] = name }
        span.attributes["db.query.text"] = operation.text
        if let batchSize = operation.batchSize { span.attributes["db.operation.batch.size"] = batchSize }
        if let address = endpoint.address { span.attributes["server.address"] = address }
        if let port = endpoint.port { span.attributes["server.port"] = port }
        return span
    }
}
