import Tracing

/// Spans around work that contains database operations (a commit's flush and COMMIT, a pool
/// acquire), so their own spans nest under them.
enum TracedSpan {
    /// Runs `body` inside a span bound as the current context, when a tracer is active;
    /// otherwise just runs it, at the cost of a tracer lookup.
    ///
    /// `name` is an autoclosure, so that a name built from the configuration costs nothing when
    /// no span is made.
    static func run<T>(
        _ name: @autoclosure () -> String, kind: SpanKind, attributes: (inout SpanAttributes) -> Void,
        _ body: () async throws -> T
    ) async throws -> T {
        guard let tracer = ActiveTracer.current else { return try await body() }
        return try await tracer.withSpan(name(), ofKind: kind) { span in
            attributes(&span.attributes)
            return try await body()
        }
    }
}
