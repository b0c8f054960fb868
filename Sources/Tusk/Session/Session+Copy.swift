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
}
