import Tracing

/// Where spans go right now, found cheaply enough to ask on every statement.
enum ActiveTracer {
    /// The active tracer (bound to the task with `withTracer`, or bootstrapped), or nil when
    /// there is none. The common case, nothing bootstrapped and nothing bound, is told by the
    /// instrument's concrete type, without the protocol-conformance cast that
    /// `InstrumentationSystem.tracer` makes (that cast showed in profiles of a lease).
    static var current: (any Tracer)? {
        if InstrumentationSystem.instrument is NoOpInstrument { return nil }
        let tracer = InstrumentationSystem.tracer
        return tracer is NoOpTracer ? nil : tracer
    }
}
