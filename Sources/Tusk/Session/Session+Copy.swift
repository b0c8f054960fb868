extension Session {
    /// Begins the transaction now if it has not begun: COPY cannot travel in a pipeline with
    /// `BEGIN`.
    func ensureBegun() async throws {
        try checkUsable()
        await closeOpenCopy()
        guard case .notBegun = state, !options.autocommit else { return }
        do {
            _ = try await connection.query(options.beginStatement)
            state = .active
        } catch {
            fail(with: error)
            throw error
        }
    }

    /// Records that a COPY was aborted, whatever aborted it — the server, the producer, or a value
    /// Tusk refused to encode mid-stream: the server has failed the transaction either way, so
    /// nothing of the batch can commit.
    func failCopy(with error: any Error) {
        switch state {
        case .notBegun, .active: state = .failed(error)
        case .failed, .committed, .rolledBack: break
        }
    }
}
