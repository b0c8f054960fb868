import SwiftDiagnostics

/// A message from `@Model` or one of its property markers.
struct TuskDiagnostic: DiagnosticMessage {
    let message: String
    let diagnosticID: MessageID
    let severity: DiagnosticSeverity

    /// An error `id` (stable, for tools) saying `message`.
    init(_ id: String, _ message: String, severity: DiagnosticSeverity = .error) {
        self.message = message
        self.diagnosticID = MessageID(domain: "TuskMacros", id: id)
        self.severity = severity
    }
}
