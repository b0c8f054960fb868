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

    /// Reads the next row. When a batch is used up, the next one, already received, is decoded
    /// while the server produces the one after it.
    public struct Iterator: AsyncIteratorProtocol {
        let stream: RowStream
        private var cursor: Int?
        /// Rows received and not yet decoded, or the error fetching them.
        private var received: Result<QueryResult, any Error>?
        /// The cursor has no rows beyond `received` (it is closed, or its fetch failed).
        private var exhausted = false
        private var batch: [Element] = []
        private var position = 0

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
            batch = []
            if received == nil, !exhausted {
                do {
                    received = .success(try await open())
                } catch {
                    exhausted = true
                    throw error
                }
            }
            guard let pending = received else { return nil }
            received = nil
            let current: QueryResult
            do {
                current = try pending.get()
            } catch {
                exhausted = true
                throw error
            }
            if !exhausted, let cursor {
                // The server fetches the next batch while this one is decoded; a failed fetch is
                // thrown once this batch's rows are handed out.
                let following: Result<QueryResult, any Error>
                let decoded: [Element]
                do {
                    (following, decoded) = try await stream.session.runUnchecked(fetch(cursor)) {
                        try current.decode(Element.self, keyMapping: stream.keyMapping)
                    }
                } catch {
                    // A row that does not decode ends the stream; the transaction goes on.
                    await close(cursor)
                    throw error
                }
                batch = decoded
                received = following
                switch following {
                case .success(let rows) where rows.count < stream.batchSize: await close(cursor)
                case .success: break
                case .failure: exhausted = true
                }
            } else {
                batch = try current.decode(Element.self, keyMapping: stream.keyMapping)
            }
            guard !batch.isEmpty else { return nil }
            position = 1
            return batch[0]
        }

        /// Declares the cursor and fetches its first batch, in one round trip.
        private mutating func open() async throws -> QueryResult {
            let session = stream.session
            let number = session.transaction.cursorOpened()
            cursor = number
            let outcomes = try await session.runPipeline([
                "DECLARE \(unsafeRaw: Self.name(number)) NO SCROLL CURSOR FOR \(stream.query)", fetch(number),
            ])
            _ = try Session.result(of: outcomes, at: 0)
            let first = try Session.result(of: outcomes, at: 1)
            if first.count < stream.batchSize { await close(number) }
            return first
        }

        private func fetch(_ cursor: Int) -> SQL {
            "FETCH FORWARD \(unsafeRaw: String(stream.batchSize)) FROM \(unsafeRaw: Self.name(cursor))"
        }

        /// Closes the cursor once it has nothing more to give. A failed CLOSE fails the
        /// transaction, which the next statement or the commit reports; the rows already
        /// received are still good.
        private mutating func close(_ number: Int) async {
            exhausted = true
            let session = stream.session
            _ = try? await session.runUnchecked("CLOSE \(unsafeRaw: Self.name(number))")
            session.transaction.cursorClosed(number)
        }

        static func name(_ number: Int) -> String { "tusk_cursor_\(number)" }
    }
}

@available(*, unavailable, message: "a RowStream belongs to its session's task")
extension RowStream: Sendable {}
