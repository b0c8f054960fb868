/// A secret that reflection and printing cannot reveal: `dump`, `Mirror`, `String(reflecting:)`
/// and string interpolation all see `[redacted]`.
///
/// A stored `String` property is printed by `dump` and listed by `Mirror` whatever the owner's
/// `description` says; holding the secret in this wrapper is what keeps it out of both.
struct Redacted<Value: Sendable>: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; read it only to hand it to libpq.
    var value: Value

    init(_ value: Value) {
        self.value = value
    }

    var description: String { "[redacted]" }

    var debugDescription: String { "[redacted]" }

    /// No children, so `dump` and `Mirror` stop here.
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
