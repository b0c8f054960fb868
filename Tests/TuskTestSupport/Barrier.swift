/// Lets tasks meet: each `arrive()` waits until `parties` tasks have arrived.
public actor Barrier {
    private let parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// A barrier for `parties` tasks.
    public init(parties: Int) { self.parties = parties }

    /// Waits until `parties` tasks have called `arrive()`.
    public func arrive() async {
        arrived += 1
        if arrived >= parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
