/// Sends COPY FROM STDIN data to the server; handed to the body of ``Connection/copyIn(_:timeout:_:)``.
public struct CopyInWriter: Sendable {
    let connection: Connection
    let token: UInt64

    /// Sends a chunk of COPY data. Returns once the chunk is handed to the socket: while the
    /// server is slower than the producer, this waits, so memory stays bounded by the chunk size.
    ///
    /// - Throws: `CancellationError` when the task is cancelled, ``ConnectionError`` when the
    ///   connection is lost; the server's error, if it rejected the data already, when the COPY
    ///   ends.
    public func write(_ bytes: [UInt8]) async throws {
        try await connection.writeCopyData(bytes, token: token)
    }

    /// Sends the bytes of an encoding buffer (see ``PostgresBinaryCopyEncoder``).
    public func write(_ buffer: PostgresEncodingBuffer) async throws {
        try await connection.writeCopyData(buffer.bytes, token: token)
    }
}

extension Connection {
    // MARK: - COPY FROM STDIN

    /// Runs `COPY … FROM STDIN`, with `body` writing the data, and returns the number of rows
    /// copied.
    ///
    /// ```swift
    /// let rows = try await connection.copyIn("COPY items (id, name) FROM STDIN (FORMAT binary)") { writer in
    ///     var encoder = PostgresBinaryCopyEncoder()
    ///     for item in items {
    ///         encoder.beginRow(fieldCount: 2)
    ///         try encoder.append(item.id)
    ///         try encoder.append(item.name)
    ///         if encoder.count >= 1 << 20 {
    ///             try await writer.write(encoder.bytes)
    ///             encoder.clear()
    ///         }
    ///     }
    ///     encoder.finish()
    ///     try await writer.write(encoder.bytes)
    /// }
    /// ```
    ///
    /// When `body` throws, or the task is cancelled, the COPY is aborted (`CopyFail`): the server
    /// keeps none of its rows, the connection stays usable, and `body`'s error is rethrown.
    ///
    /// - Throws: `body`'s error; ``PostgresError`` when the server rejects the data (the error
    ///   context names the line); ``ConnectionError`` and `CancellationError` as
    ///   ``query(_:timeout:)``.
    public nonisolated func copyIn(_ sql: SQL, timeout: Duration? = nil, _ body: (CopyInWriter) async throws -> Void) async throws -> Int {
        try await observed(.statement(sql.text)) {
            let token = try await beginCopy(sql, kind: .copyIn, timeout: timeout)
            do {
                try await body(CopyInWriter(connection: self, token: token))
            } catch {
                // The body's error is the cause; the server's "COPY … failed" is its consequence.
                _ = try? await finishCopyIn(token, abortMessage: "COPY aborted by the client")
                throw error
            }
            return try await finishCopyIn(token, abortMessage: nil)
        }
    }

    func writeCopyData(_ bytes: [UInt8], token: UInt64) async throws {
        guard activeOperation?.kind == .copyIn else {
            throw configuration.target.error(.invalidUsage, "no COPY FROM STDIN is running on this connection")
        }
        try await runStep(token, cancellable: true) { handle, control in
            let delivered = try bytes.withUnsafeBytes { try handle.putCopyData($0, control: &control) }
            if !delivered {
                // A cancel request went out while waiting; stop producing.
                throw control.cancelCause == .timeout
                    ? configuration.target.error(.timeout, "COPY exceeded its timeout and was cancelled")
                    : CancellationError()
            }
        }
    }

    /// Ends the COPY: successfully (`abortMessage` nil) or with CopyFail. Runs even when the task
    /// is cancelled, so the connection always leaves COPY mode.
    func finishCopyIn(_ token: UInt64, abortMessage: String?) async throws -> Int {
        defer { endOperation(token) }
        return try await runStep(token, cancellable: false) { handle, control in
            if abortMessage != nil, control.cancelCause == nil {
                // Make the server drop buffered data at once instead of reading it all first.
                control.markCancelSent(.taskCancelled, delivered: handle.sendCancelRequest())
            }
            try handle.putCopyEnd(errorMessage: abortMessage, control: &control)
            counters.roundTrips += 1
            let result = try collectResults(handle, &control, query: nil)
            return result?.affectedRows ?? 0
        }
    }

    // MARK: - COPY TO STDOUT

    /// Runs `COPY … TO STDOUT` and hands the data to `body` in batches of whole rows (each batch
    /// up to about `batchSize` bytes); returns the number of rows copied.
    ///
    /// When `body` throws, the COPY is cancelled on the server and the rest of the data is
    /// discarded; the connection stays usable and `body`'s error is rethrown.
    ///
    /// - Throws: `body`'s error; ``PostgresError``, ``ConnectionError`` and `CancellationError`
    ///   as ``query(_:timeout:)``.
    public nonisolated func copyOut(
        _ sql: SQL,
        timeout: Duration? = nil,
        batchSize: Int = 256 * 1024,
        _ body: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        try await observed(.statement(sql.text)) {
            let token = try await beginCopy(sql, kind: .copyOut, timeout: timeout)
            do {
                while let batch = try await readCopyOut(token, batchSize: batchSize) {
                    try await body(batch)
                }
            } catch {
                await abandonCopyOut(token)
                throw error
            }
            return try await finishCopyOut(token)
        }
    }

    func readCopyOut(_ token: UInt64, batchSize: Int) async throws -> [UInt8]? {
        guard let active = activeOperation, active.token == token, active.kind == .copyOut else {
            throw configuration.target.error(.invalidUsage, "no COPY TO STDOUT is running on this connection")
        }
        if active.copyOutFinished { return nil }
        let (batch, finished) = try await runStep(token, cancellable: true) { handle, control -> ([UInt8], Bool) in
            var batch: [UInt8] = []
            batch.reserveCapacity(batchSize + 512)
            // Wait for the first row, then take whatever else has arrived, up to the batch size.
            var state = try handle.getCopyData(into: &batch, wait: true, control: &control)
            while state == .row, batch.count < batchSize {
                guard let next = try handle.getCopyData(into: &batch, wait: false, control: &control) else { break }
                state = next
            }
            return (batch, state == .done)
        }
        if finished { activeOperation?.copyOutFinished = true }
        return batch.isEmpty && finished ? nil : batch
    }

    func finishCopyOut(_ token: UInt64) async throws -> Int {
        defer { endOperation(token) }
        return try await runStep(token, cancellable: true) { handle, control in
            counters.roundTrips += 1
            return try collectResults(handle, &control, query: nil)?.affectedRows ?? 0
        }
    }

    /// Cancels a COPY TO STDOUT whose consumer stopped, discarding the rest of the data.
    func abandonCopyOut(_ token: UInt64) async {
        defer { endOperation(token) }
        let finished = activeOperation?.copyOutFinished ?? true
        _ = try? await runStep(token, cancellable: false) { handle, control in
            if !finished {
                if control.cancelCause == nil {
                    control.markCancelSent(.taskCancelled, delivered: handle.sendCancelRequest())
                }
                var discard: [UInt8] = []
                while try handle.getCopyData(into: &discard, wait: true, control: &control) == .row {
                    discard.removeAll(keepingCapacity: true)
                }
            }
            // The COPY's end and its error (57014, or none when it had finished) are read here;
            // whether the cancel can still reach a later statement is endOperation's call.
            _ = try? collectResults(handle, &control, query: nil)
        }
    }

    // MARK: - Shared

    func beginCopy(_ sql: SQL, kind: ActiveOperation.Kind, timeout: Duration?) async throws -> UInt64 {
        try sql.validate()
        try Task.checkCancellation()
        let text = sql.text
        let token = try await beginOperation(kind, timeout: timeout, cancellable: true)
        do {
            try await runStep(token, cancellable: true) { handle, control in
                logStatement(text, bindings: sql.bindings)
                guard handle.sendQuery(text, bindings: sql.bindings) else { throw handle.lostError("could not send COPY") }
                counters.roundTrips += 1
                counters.statements += 1
                try handle.flush(&control)
                guard let result = try handle.nextResult(&control) else {
                    throw configuration.target.error(.protocolViolation, "the server sent no result for COPY")
                }
                let expected: PGResult.Status = kind == .copyIn ? .copyIn : .copyOut
                if result.status == expected { return }
                // Not the COPY we expected: read the rest and report.
                var error: any Error = configuration.target.error(
                    .invalidUsage, kind == .copyIn ? "the statement is not COPY … FROM STDIN" : "the statement is not COPY … TO STDOUT")
                if result.status == .error { error = classify(result, handle, &control, query: text) }
                if result.status == .copyIn || result.status == .copyOut || result.status == .copyBoth {
                    markBroken()
                    throw error
                }
                _ = try? collectResults(handle, &control, query: text)
                throw error
            }
        } catch {
            endOperation(token)
            throw error
        }
        return token
    }
}
