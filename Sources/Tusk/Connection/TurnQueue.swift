/// Who runs next on a busy connection: the callers waiting for the running operation to end, in
/// arrival order, and the one the turn was handed to but that has not started yet. Pure
/// bookkeeping; the connection suspends and wakes the callers.
///
/// The turn passes from an ending operation straight to the first waiter. A caller that arrives
/// while that waiter is still waking up waits behind it, so the order is first come, first served
/// even though the woken waiter runs later than the moment it was chosen.
///
/// A waiter moves through: waiting ──handOff──▶ handed the turn ──claim──▶ (running), or
/// waiting ──abandon──▶ (gone).
struct TurnQueue<Waiter> {
    private var waiting: [(id: UInt64, waiter: Waiter)] = []
    /// The waiter chosen by the last ``handOff()`` that has not claimed its turn yet.
    private(set) var handedTo: UInt64?
    private var lastID: UInt64 = 0

    /// The number of callers waiting (not counting one that was handed the turn).
    var waitingCount: Int { waiting.count }

    /// Whether a caller arriving now must wait: the connection is busy, or earlier callers wait
    /// or were handed the turn.
    func mustWait(connectionBusy: Bool) -> Bool {
        connectionBusy || handedTo != nil || !waiting.isEmpty
    }

    /// A fresh id for a caller about to wait.
    mutating func makeID() -> UInt64 {
        lastID &+= 1
        return lastID
    }

    /// Puts a caller at the end of the line.
    mutating func enqueue(_ id: UInt64, _ waiter: Waiter) {
        waiting.append((id, waiter))
    }

    /// The running operation ended: the first waiter gets the turn. Returns it, to be woken, or
    /// nil when nobody waits or a handed-off turn is still unclaimed.
    mutating func handOff() -> Waiter? {
        guard handedTo == nil, !waiting.isEmpty else { return nil }
        let next = waiting.removeFirst()
        handedTo = next.id
        return next.waiter
    }

    /// A woken caller starts its operation.
    mutating func claim(_ id: UInt64) {
        if handedTo == id { handedTo = nil }
    }

    /// A caller that still waits gives up (its task was cancelled); returns it, to be woken with
    /// the cancellation. A caller that was already handed the turn keeps it.
    mutating func abandon(_ id: UInt64) -> Waiter? {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return nil }
        return waiting.remove(at: index).waiter
    }

    /// Every waiter, in order, to be woken because the connection closed; the queue is empty
    /// afterwards.
    mutating func removeAll() -> [Waiter] {
        let all = waiting.map(\.waiter)
        waiting.removeAll()
        handedTo = nil
        return all
    }
}
