/// Rows of a query decoded one by one, read through a server-side cursor in batches.
/// Created by ``Session/stream(_:as:batchSize:keyMapping:)``.
public struct RowStream<Element: Decodable>: AsyncSequence {
    let session: Session
    let query: SQL
    let batchSize: Int
    let keyMapping: KeyMapping

    /// Starts reading.
    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self)
    }

    /// Reads the next row, fetching the next batch when the current one is used up.
    public struct Iterator: AsyncIteratorProtocol {
        let stream: RowStream
        private var cursor: Int?
        private var batch: [Element] = []
        private var position = 0
        private var finished = false

        init(stream: RowStream) {
            self.stream = stream
        }

        /// The next row, or nil after the last one.
        ///
        /// - Throws: the errors of ``Session/query(_:timeout:)``, and ``PostgresDecodingError``.
        public mutating func next() async throws -> Element? {
            if position < batch.count {
                defer { position += 1 }
                return batch[position]
            }
            guard !finished else { return nil }
            let session = stream.session
            if cursor == nil {
                let number = session.transaction.cursorOpened()
                cursor = number
                try await session.execute("DECLARE \(unsafeRaw: Self.name(number)) NO SCROLL CURSOR FOR \(stream.query)")
            }
            guard let cursor else { return nil }
            let result = try await session.query("FETCH FORWARD \(unsafeRaw: String(stream.batchSize)) FROM \(unsafeRaw: Self.name(cursor))")
            batch = try result.decode(Element.self, keyMapping: stream.keyMapping)
            position = 0
            if batch.count < stream.batchSize {
                finished = true
                _ = try? await session.execute("CLOSE \(unsafeRaw: Self.name(cursor))")
                session.transaction.cursorClosed(cursor)
            }
            guard !batch.isEmpty else { return nil }
            position = 1
            return batch[0]
        }

        static func name(_ number: Int) -> String { "tusk_cursor_\(number)" }
    }
}

@available(*, unavailable, message: "a RowStream belongs to its session's task")
extension RowStream: Sendable {}
