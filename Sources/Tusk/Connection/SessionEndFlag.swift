import Synchronization

/// Set when the server ends the session between commands (its FATAL notice came while nothing
/// ran): every command sent afterwards reached no backend.
///
/// A class of its own so that libpq's notice callback can hold it strongly. Holding the
/// connection weakly instead gives the connection a side table, and from then on every retain
/// and release of it takes the runtime's slow path (seen in `perf` as `incrementSlow` and
/// `doDecrementSlow`, about 7 % of the pool threads' samples on a point select).
final class SessionEndFlag: Sendable {
    private let ended = Atomic<Bool>(false)

    func set() { ended.store(true, ordering: .releasing) }

    var isSet: Bool { ended.load(ordering: .acquiring) }
}
