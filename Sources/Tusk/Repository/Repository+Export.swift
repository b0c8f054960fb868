extension Repository {
    /// Every matching row, read through `COPY (SELECT …) TO STDOUT (FORMAT binary)` and decoded
    /// into models as it arrives: the fastest way to read a whole table, with memory bounded by
    /// `batchBytes`.
    ///
    /// ```swift
    /// for try await user in try users.export(where: \.active == true) {
    ///     try await archive(user)
    /// }
    /// ```
    ///
    /// COPY takes no bind parameters, so the filter's values travel as transaction-local settings
    /// (`set_config`) and the query reads them back with `current_setting(…)::type`: still never
    /// spliced into SQL text. Iterate the stream inside the session; a stream abandoned half-way
    /// is cancelled before the session's next statement.
    public func export(where filter: Filter<M>? = nil, orderBy: [Order<M>] = [], batchBytes: Int = 256 * 1024,
                       includeDeleted: Bool = false) throws -> ExportStream<M> {
        let query = try select(where: filter, orderBy: orderBy, limit: .unbounded, offset: 0, includeDeleted: includeDeleted)
        return ExportStream(session: session, query: query, batchBytes: max(4096, batchBytes))
    }
}

/// Models decoded from a binary COPY. Created by ``Repository/export(where:orderBy:batchBytes:includeDeleted:)``.
public struct ExportStream<M: Model>: AsyncSequence {
    let session: Session
    let query: SQL
    let batchBytes: Int

    /// Starts the COPY on the first `next()`.
    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self)
    }

    /// Reads batches of rows and hands out models one by one.
    public struct Iterator: AsyncIteratorProtocol {
        let stream: ExportStream
        private var token: UInt64?
        private var names: [String] = []
        private var types: [PostgresDataType] = []
        private var batch: [M] = []
        private var position = 0
        private var started = false
        private var finished = false
        private var sawHeader = false

        init(stream: ExportStream) {
            self.stream = stream
        }

        /// The next model, or nil at the end.
        ///
        /// - Throws: the errors of ``Session/query(_:timeout:)``, ``PostgresDecodingError``.
        public mutating func next() async throws -> M? {
            while position >= batch.count {
                if finished { return nil }
                try await fetch()
            }
            defer { position += 1 }
            return batch[position]
        }

        private mutating func fetch() async throws {
            let session = stream.session
            let connection = session.connection
            if !started {
                started = true
                try await start()
            }
            guard let token else { finished = true; return }
            guard let bytes = try await connection.readCopyOut(token, batchSize: stream.batchBytes) else {
                session.transaction.copyOutFinished(token)
                _ = try await connection.finishCopyOut(token)
                _ = try await session.runUnchecked("RELEASE SAVEPOINT tusk_export")
                finished = true
                batch = []
                position = 0
                return
            }
            let rows = try CopyBinaryRows(bytes: bytes, names: names, types: types, expectHeader: !sawHeader)
            sawHeader = true
            batch = try rows.decode(M.self, keyMapping: M.keyMapping)
            position = 0
        }

        private mutating func start() async throws {
            let session = stream.session
            try await session.ensureBegun()
            // The columns' names and types (binary COPY carries neither), behind the savepoint the
            // export runs under: an export abandoned half-way is cancelled, which would abort the
            // session's transaction without it.
            let outcomes = try await session.runPipeline([Session.exportSavepoint, "SELECT * FROM (\(stream.query)) AS tusk_export LIMIT 0"])
            _ = try Session.result(of: outcomes, at: 0)
            let description = try Session.result(of: outcomes, at: 1)
            names = description.columnNames
            types = description.columnTypes
            var copyQuery = stream.query
            if stream.query.bindings.count > 0 {
                copyQuery = try await Self.parameterFree(stream.query, session: session)
            }
            let sql: SQL = "COPY (\(copyQuery)) TO STDOUT (FORMAT binary)"
            do {
                let started = try await session.connection.beginCopy(sql, kind: .copyOut, timeout: nil)
                token = started
                session.transaction.copyOutStarted(started)
            } catch {
                session.fail(with: error)
                throw error
            }
        }

        /// The query with each `$n` replaced by `current_setting('tusk.export_n')::type`, after
        /// storing each bound value as a transaction-local setting.
        static func parameterFree(_ query: SQL, session: Session) async throws -> SQL {
            let fields = query.bindings.fields
            let setters = fields.enumerated().map { index, field -> SQL in
                "set_config(\("tusk.export_\(index + 1)"), \(field)::text, true)"
            }
            _ = try await session.query("SELECT \(SQL.join(setters, separator: ", "))")
            var text = query.segments[0]
            for (index, field) in fields.enumerated() {
                text += "current_setting('tusk.export_\(index + 1)')"
                if let name = PostgresDataType.sqlNames[field.type.rawValue] {
                    text += "::" + name
                } else if let element = PostgresDataType.arrayElementNames[field.type.rawValue] {
                    text += "::" + element + "[]"
                }
                text += query.segments[index + 1]
            }
            return SQL(unsafeRaw: text)
        }
    }
}

@available(*, unavailable, message: "an ExportStream belongs to its session's task")
extension ExportStream: Sendable {}

extension PostgresDataType {
    /// Element SQL names of built-in array types, for casts.
    static let arrayElementNames: [UInt32: String] = [
        1000: "bool", 1001: "bytea", 1005: "int2", 1007: "int4", 1009: "text", 1015: "varchar", 1016: "int8",
        1021: "float4", 1022: "float8", 1115: "timestamp", 1182: "date", 1185: "timestamptz", 1231: "numeric",
        2951: "uuid", 3807: "jsonb",
    ]
}
