import Tracing

extension Connection {
    /// Runs `body` as one observed database operation: a client span when a tracer is active
    /// (bootstrapped, or bound with `withTracer`), and a `db.client.operation.duration` sample.
    ///
    /// Without a tracer this costs a tracer lookup (``ActiveTracer``), the statement's first
    /// keyword and two clock reads: no span, no task-local.
    nonisolated func observed<T>(_ operation: ObservedOperation, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        guard let tracer = ActiveTracer.current else {
            do {
                let result = try await body()
                operationMetrics.record(ContinuousClock.now - start, operation: operation.name, errorType: nil)
                return result
            } catch {
                operationMetrics.record(ContinuousClock.now - start, operation: operation.name, errorType: ObservedOperation.errorType(error))
                throw error
            }
        }
        let span = tracer.startSpan(spanName(operation), ofKind: .client)
        describe(operation, on: span)
        defer { span.end() }
        do {
            let result = try await body()
            operationMetrics.record(ContinuousClock.now - start, operation: operation.name, errorType: nil)
            return result
        } catch {
            let type = ObservedOperation.errorType(error)
            span.attributes["error.type"] = type
            if let error = error as? PostgresError { span.attributes["db.response.status_code"] = error.sqlState.rawValue }
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            operationMetrics.record(ContinuousClock.now - start, operation: operation.name, errorType: type)
            throw error
        }
    }

    /// `{db.operation.name} {db.namespace}`, as the conventions name a span whose table is not
    /// known; `postgresql` when the statement has no keyword.
    private nonisolated func spanName(_ operation: ObservedOperation) -> String {
        guard let name = operation.name else { return "postgresql" }
        guard let namespace = configuration.target.database else { return name }
        return "\(name) \(namespace)"
    }

    private nonisolated func describe(_ operation: ObservedOperation, on span: any Span) {
        span.attributes["db.system.name"] = "postgresql"
        if let namespace = configuration.target.database { span.attributes["db.namespace"] = namespace }
        if let name = operation.name { span.attributes["db.operation.name"] = name }
        span.attributes["db.query.text"] = operation.text
        if let batchSize = operation.batchSize { span.attributes["db.operation.batch.size"] = batchSize }
        if let host = configuration.hosts.first {
            span.attributes["server.address"] = host.name
            span.attributes["server.port"] = host.port
        }
    }
}
