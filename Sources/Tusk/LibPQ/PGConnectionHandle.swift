import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an operation sent a cancel request to the server.
enum CancelCause: Sendable, Equatable {
    case taskCancelled
    case timeout
}

/// The wait policy of one running operation: its deadline, and whether it already asked the
/// server to cancel it.
struct OperationControl {
    /// How long to wait for the server to answer a cancel request before giving the connection up.
    static let cancelGracePeriod: Duration = .seconds(10)

    /// When the operation times out (a per-call or default timeout), or nil for never.
    var deadline: ContinuousClock.Instant?
    /// Whether a task cancellation interrupts the wait.
    var interruptible: Bool
    /// Set once a cancel request was sent, with the reason.
    private(set) var cancelCause: CancelCause?
    private(set) var graceDeadline: ContinuousClock.Instant?
    /// Set when the server answered the cancel request with 57014 (query_canceled).
    var cancelAcknowledged = false
    /// Whether `PQcancel` reported success: the postmaster processed the request (signalled the
    /// backend, or found nothing to signal) before closing the cancel connection. libpq waits for
    /// that close precisely so that a cancel cannot hit a later command.
    private(set) var cancelDelivered = false

    /// Whether a cancel request may still reach the backend after this operation: one was sent,
    /// the server did not answer it with 57014, and libpq could not confirm the postmaster had
    /// processed it. Only then must the connection be given up.
    var cancelMayBeInFlight: Bool {
        cancelCause != nil && !cancelAcknowledged && !cancelDelivered
    }

    init(timeout: Duration?, interruptible: Bool) {
        deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        self.interruptible = interruptible
    }

    /// When to send the cancel request again if the server has not answered yet.
    private(set) var nextCancelAt: ContinuousClock.Instant?
    private var cancelInterval: Duration = .milliseconds(50)

    mutating func markCancelSent(_ cause: CancelCause, delivered: Bool) {
        let now = ContinuousClock.now
        cancelCause = cause
        cancelDelivered = delivered
        graceDeadline = now.advanced(by: Self.cancelGracePeriod)
        nextCancelAt = now.advanced(by: cancelInterval)
    }

    /// The cancel request went out again. A backend ignores a cancel that arrives while it is
    /// still reading the statement it should cancel (it cannot tell it from one meant for the
    /// previous command), so a request that lands in that window is lost; repeating it, with a
    /// growing interval, reaches the statement once it runs. Each request has been processed by
    /// the postmaster before the next is sent, so none can outlive the operation.
    mutating func markCancelRepeated(delivered: Bool) {
        cancelDelivered = cancelDelivered && delivered
        cancelInterval = min(cancelInterval * 2, .seconds(1))
        nextCancelAt = ContinuousClock.now.advanced(by: cancelInterval)
    }

    /// The deadline of the current wait.
    var currentDeadline: ContinuousClock.Instant? {
        guard cancelCause != nil else { return deadline }
        guard let graceDeadline, let nextCancelAt else { return graceDeadline }
        return min(graceDeadline, nextCancelAt)
    }

    /// Whether the server has had the whole grace period to answer the cancel.
    var cancelGraceExpired: Bool {
        graceDeadline.map { ContinuousClock.now >= $0 } ?? false
    }
}

/// Owns one libpq connection (`PGconn`) and drives it in non-blocking mode, waiting on its socket
/// with `poll`. It runs on its connection's own thread; it is not `Sendable` and must stay there.
final class PGConnectionHandle {
    private let connection: OpaquePointer
    /// Obtained once the connection is established: before that it carries no backend key.
    private var cancelHandle: OpaquePointer?
    let interrupt: ConnectionInterrupt
    let target: ConnectionTarget
    private let noticeSink: Unmanaged<NoticeSink>

    private init(connection: OpaquePointer, interrupt: ConnectionInterrupt, target: ConnectionTarget,
                 noticeSink: Unmanaged<NoticeSink>) {
        self.connection = connection
        self.cancelHandle = nil
        self.interrupt = interrupt
        self.target = target
        self.noticeSink = noticeSink
    }

    deinit {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        PQfinish(connection)
        noticeSink.release()
    }

    // MARK: - Connect

    /// Opens a connection with `PQconnectStartParams` and `PQconnectPoll`, waiting on the socket
    /// (re-read after every step) until `deadline`. libpq ignores `connect_timeout` in this mode;
    /// the deadline enforces it.
    ///
    /// - Throws: ``ConnectionError`` classified from libpq's state and message, or
    ///   `CancellationError` when interrupted.
    static func connect(
        parameters: [(String, String)],
        target: ConnectionTarget,
        deadline: ContinuousClock.Instant?,
        interrupt: ConnectionInterrupt,
        onNotice: @escaping @Sendable (PostgresError) -> Void
    ) throws -> PGConnectionHandle {
        let connection: OpaquePointer? = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in
                PQconnectStartParams(keywords, values, 0)
            }
        }
        guard let connection else {
            throw target.error(.connectFailed, "libpq could not allocate a connection")
        }
        let sink = Unmanaged.passRetained(NoticeSink(onNotice))
        // From here the handle owns the connection; its deinit finishes it on every failure path.
        let handle = PGConnectionHandle(connection: connection, interrupt: interrupt, target: target, noticeSink: sink)
        PQsetNoticeReceiver(connection, noticeReceiver, sink.toOpaque())
        guard PQstatus(connection) != CONNECTION_BAD else {
            throw handle.classifyConnectFailure()
        }
        var pollStatus = PGRES_POLLING_WRITING
        while true {
            switch pollStatus {
            case PGRES_POLLING_OK:
                guard PQsetnonblocking(connection, 1) == 0 else {
                    throw target.error(.connectFailed, "could not switch the connection to non-blocking mode")
                }
                handle.cancelHandle = PQgetCancel(connection)
                return handle
            case PGRES_POLLING_FAILED:
                throw handle.classifyConnectFailure()
            default:
                let socket = PQsocket(connection)
                guard socket >= 0 else { throw handle.classifyConnectFailure() }
                let forRead = pollStatus == PGRES_POLLING_READING
                switch handle.poll(socket, read: forRead, write: !forRead, deadline: deadline, watchInterrupt: true) {
                case .ready:
                    break
                case .interrupted:
                    throw CancellationError()
                case .timedOut:
                    throw target.error(.connectTimeout, "no connection within the connect timeout")
                }
            }
            pollStatus = PQconnectPoll(connection)
        }
    }

    /// Classifies a failed connect from libpq's message: a failed connect carries no SQLSTATE.
    private func classifyConnectFailure() -> ConnectionError {
        let message = errorMessage
        let lower = message.lowercased()
        let code: ConnectionError.Code
        if lower.contains("password authentication failed") || lower.contains("no pg_hba.conf entry")
            || lower.contains("authentication failed") || lower.contains("no password supplied")
            || (lower.contains("role") && lower.contains("does not exist")) || lower.contains("scram")
        {
            code = .authenticationFailed
        } else if lower.contains("database") && lower.contains("does not exist") {
            code = .databaseNotFound
        } else if lower.contains("server does not support ssl") {
            code = .tlsRequired
        } else if lower.contains("ssl") || lower.contains("certificate") {
            code = .tlsFailed
        } else if lower.contains("starting up") || lower.contains("shutting down") || lower.contains("in recovery")
            || lower.contains("not yet accepting connections") || lower.contains("not accepting connections")
        {
            code = .serverStarting
        } else if lower.contains("too many clients") || lower.contains("remaining connection slots") {
            code = .tooManyConnections
        } else if lower.contains("connection refused") || lower.contains("could not translate host name")
            || lower.contains("no route to host") || lower.contains("network is unreachable")
            || lower.contains("could not connect") || lower.contains("no such file or directory")
            || lower.contains("timed out") || lower.contains("name or service not known")
        {
            code = .connectionRefused
        } else {
            code = .connectFailed
        }
        return target.error(code, message.isEmpty ? "connection failed" : message)
    }

    // MARK: - State

    var errorMessage: String {
        guard let message = PQerrorMessage(connection) else { return "" }
        return target.scrub(String(cString: message).trimmingTrailingNewlines())
    }

    var isBad: Bool { PQstatus(connection) == CONNECTION_BAD }

    var transactionStatus: PGTransactionStatusType { PQtransactionStatus(connection) }

    var isIdleOutsideTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_IDLE }

    var isInFailedTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_INERROR }

    var isInPipelineMode: Bool { PQpipelineStatus(connection) != PQ_PIPELINE_OFF }

    var backendPID: Int32 { PQbackendPID(connection) }

    /// The socket; stable once the connection is established.
    var socket: Int32 { PQsocket(connection) }

    var serverVersion: Int { Int(PQserverVersion(connection)) }

    var usesTLS: Bool { PQsslInUse(connection) != 0 }

    func parameterStatus(_ name: String) -> String? {
        guard let value = PQparameterStatus(connection, name) else { return nil }
        return String(cString: value)
    }

    /// The error for a connection that broke, with the server's last words if it sent any.
    func lostError(_ fallback: String, serverError: PostgresError? = nil) -> ConnectionError {
        let message = errorMessage
        return target.error(.connectionLost, message.isEmpty ? fallback : message, serverError: serverError)
    }

    /// Whether the idle connection is still alive, checked without a round trip: it reads
    /// whatever the server sent while idle (a FATAL on termination, then end of file).
    func checkAliveWithoutRoundTrip() -> Bool {
        for _ in 0..<3 {
            guard !isBad else { return false }
            let socket = PQsocket(connection)
            guard socket >= 0 else { return false }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = Glibc_poll(&descriptor, 1, 0)
            if ready == 0 { return true }
            if ready < 0 { return errno == EINTR }
            if descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && descriptor.revents & Int16(POLLIN) == 0 {
                return false
            }
            guard PQconsumeInput(connection) != 0 else { return false }
            while let notify = PQnotifies(connection) { PQfreemem(notify) }
        }
        return !isBad
    }

    // MARK: - Sending

    /// Sends a statement with binary parameters and binary results, unnamed (one round trip,
    /// Parse/Bind/Describe/Execute/Sync).
    func sendQuery(_ text: String, bindings: PostgresBindings) -> Bool {
        let types = bindings.types.map(\.rawValue)
        return bindings.withUnsafeParameters { values, lengths, count in
            types.withUnsafeBufferPointer { types in
                withBinaryFormats(count) { formats in
                    PQsendQueryParams(connection, text, Int32(count), types.baseAddress, values, lengths, formats, 1) == 1
                }
            }
        }
    }

    /// Sends a script through the simple query protocol (text results, several statements).
    func sendSimpleQuery(_ text: String) -> Bool {
        PQsendQuery(connection, text) == 1
    }

    /// Sends Parse for a named statement.
    func sendPrepare(name: String, text: String, types: [PostgresDataType]) -> Bool {
        let oids = types.map(\.rawValue)
        return oids.withUnsafeBufferPointer { oids in
            PQsendPrepare(connection, name, text, Int32(oids.count), oids.baseAddress) == 1
        }
    }

    /// Sends Bind/Describe/Execute/Sync for a prepared statement, binary in and out.
    func sendQueryPrepared(name: String, bindings: PostgresBindings) -> Bool {
        bindings.withUnsafeParameters { values, lengths, count in
            withBinaryFormats(count) { formats in
                PQsendQueryPrepared(connection, name, Int32(count), values, lengths, formats, 1) == 1
            }
        }
    }

    /// Sends Describe for a prepared statement.
    func sendDescribePrepared(name: String) -> Bool {
        PQsendDescribePrepared(connection, name) == 1
    }

    func enterPipelineMode() -> Bool { PQenterPipelineMode(connection) == 1 }
    func exitPipelineMode() -> Bool { PQexitPipelineMode(connection) == 1 }
    func pipelineSync() -> Bool { PQpipelineSync(connection) == 1 }
    /// Queues a Flush message: the server sends the results it has so far without waiting for
    /// the Sync.
    func sendFlushRequest() -> Bool { PQsendFlushRequest(connection) == 1 }

    // MARK: - Waiting

    /// Pushes all queued output to the socket, reading input meanwhile so the server never
    /// blocks writing to us while we block writing to it.
    func flush(_ control: inout OperationControl) throws {
        while true {
            let result = PQflush(connection)
            if result == 0 { return }
            if result < 0 { throw lostError("could not send data to the server") }
            let readiness = try wait(read: true, write: true, control: &control)
            if readiness.readable {
                guard PQconsumeInput(connection) != 0 else { throw lostError("could not read from the server") }
            }
        }
    }

    /// The next result of the running command, waiting for it; nil when the command is done.
    func nextResult(_ control: inout OperationControl) throws -> PGResult? {
        while PQisBusy(connection) != 0 {
            _ = try wait(read: true, write: false, control: &control)
            guard PQconsumeInput(connection) != 0 else { throw lostError("could not read from the server") }
        }
        guard let result = PQgetResult(connection) else { return nil }
        return PGResult(taking: result, noticeSink: noticeSink.takeUnretainedValue())
    }

    struct Readiness {
        var readable: Bool
        var writable: Bool
    }

    /// Waits for the socket. A task cancellation or the deadline sends the server a cancel
    /// request and keeps waiting for its answer, repeating the request until the statement ends;
    /// if the server does not answer within the grace period the connection is given up.
    func wait(read: Bool, write: Bool, control: inout OperationControl) throws -> Readiness {
        while true {
            let socket = PQsocket(connection)
            guard socket >= 0 else { throw lostError("the connection has no socket") }
            let watchInterrupt = control.interruptible && control.cancelCause == nil
            switch poll(socket, read: read, write: write, deadline: control.currentDeadline, watchInterrupt: watchInterrupt) {
            case .ready(let readable, let writable):
                return Readiness(readable: readable, writable: writable)
            case .interrupted:
                control.markCancelSent(.taskCancelled, delivered: sendCancelRequest())
            case .timedOut:
                if control.cancelCause == nil {
                    control.markCancelSent(.timeout, delivered: sendCancelRequest())
                } else if control.cancelGraceExpired {
                    throw target.error(.connectionLost, "the server did not answer a cancel request within \(OperationControl.cancelGracePeriod)")
                } else {
                    control.markCancelRepeated(delivered: sendCancelRequest())
                }
            }
        }
    }

    /// Asks the server to cancel the running statement; returns whether libpq confirmed the
    /// request was processed. `PQcancel` opens a short connection of its own and returns only
    /// after the postmaster closed it, that is after it signalled the backend; it blocks this
    /// connection's thread, never the cooperative pool.
    ///
    /// A backend that receives the signal while it waits for the next command ignores it
    /// (PostgreSQL clears a query cancel that arrives while it reads a command), so once this
    /// returned true and the statement's results are drained, the cancel cannot reach a later
    /// statement.
    func sendCancelRequest() -> Bool {
        guard let cancelHandle else { return false }
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(cancelHandle, &buffer, Int32(buffer.count)) == 1
    }

    enum PollOutcome {
        case ready(readable: Bool, writable: Bool)
        case interrupted
        case timedOut
    }

    private func poll(_ socket: Int32, read: Bool, write: Bool, deadline: ContinuousClock.Instant?,
                      watchInterrupt: Bool) -> PollOutcome {
        var events: Int16 = 0
        if read { events |= Int16(POLLIN) }
        if write { events |= Int16(POLLOUT) }
        // The interrupt's eventfd stays readable once signalled, so a cancel that arrived before
        // this wait is seen at once.
        var descriptors = (
            pollfd(fd: socket, events: events, revents: 0),
            pollfd(fd: interrupt.readDescriptor, events: Int16(POLLIN), revents: 0)
        )
        let count: nfds_t = watchInterrupt ? 2 : 1
        while true {
            var timeout = timespec()
            if let deadline {
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero { return .timedOut }
                let (seconds, attoseconds) = remaining.components
                timeout.tv_sec = Int(seconds)
                timeout.tv_nsec = Int(attoseconds / 1_000_000_000)
            }
            let ready = withUnsafeMutableBytes(of: &descriptors) { raw in
                let pointer = raw.baseAddress?.assumingMemoryBound(to: pollfd.self)
                return deadline == nil
                    ? tusk_ppoll(pointer, count, nil)
                    : withUnsafePointer(to: &timeout) { tusk_ppoll(pointer, count, $0) }
            }
            if ready < 0 {
                if errno == EINTR { continue }
                // Treat a poll failure as readiness: the next libpq call reports the real error.
                return .ready(readable: read, writable: write)
            }
            if ready == 0 { continue }
            if watchInterrupt, descriptors.1.revents != 0 {
                if interrupt.consumeStrayWakeUp() != nil { return .interrupted }
                descriptors.1.revents = 0
                if descriptors.0.revents == 0 { continue }
            }
            let revents = descriptors.0.revents
            let failed = revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
            return .ready(readable: revents & Int16(POLLIN) != 0 || failed, writable: revents & Int16(POLLOUT) != 0 || failed)
        }
    }

    // MARK: - COPY

    /// Queues one chunk of COPY data and pushes it to the socket, waiting while the server is
    /// slower than the producer (backpressure). Returns false if a cancel was sent meanwhile.
    func putCopyData(_ bytes: UnsafeRawBufferPointer, control: inout OperationControl) throws -> Bool {
        var offset = 0
        while offset < bytes.count {
            // libpq accepts at most Int32.max bytes per call; stay far below.
            let length = min(bytes.count - offset, 1 << 20)
            let pointer = bytes.baseAddress?.advanced(by: offset).assumingMemoryBound(to: CChar.self)
            let result = PQputCopyData(connection, pointer, Int32(length))
            if result < 0 { throw lostError("could not send COPY data") }
            if result == 0 {
                _ = try wait(read: true, write: true, control: &control)
                guard PQconsumeInput(connection) != 0 else { throw lostError("could not read from the server") }
                if control.cancelCause != nil { return false }
                continue
            }
            offset += length
            try flush(&control)
            if control.cancelCause != nil { return false }
        }
        return true
    }

    /// Ends COPY FROM STDIN: successfully, or with `errorMessage` to make the server abort it.
    func putCopyEnd(errorMessage: String?, control: inout OperationControl) throws {
        while true {
            let result = errorMessage.map { PQputCopyEnd(connection, $0) } ?? PQputCopyEnd(connection, nil)
            if result < 0 { throw lostError("could not end COPY") }
            if result == 1 { break }
            _ = try wait(read: true, write: true, control: &control)
            guard PQconsumeInput(connection) != 0 else { throw lostError("could not read from the server") }
        }
        try flush(&control)
    }

    enum CopyRead {
        case row
        case done
    }

    /// Reads the next COPY TO STDOUT row and appends it to `buffer`; `.done` at the end of data.
    /// With `wait` false it returns nil instead of waiting when no row has arrived yet.
    func getCopyData(into buffer: inout [UInt8], wait shouldWait: Bool, control: inout OperationControl) throws -> CopyRead? {
        while true {
            var row: UnsafeMutablePointer<CChar>? = nil
            let length = PQgetCopyData(connection, &row, 1)
            if length > 0, let row {
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: row, count: Int(length)))
                PQfreemem(row)
                return .row
            }
            if length == -1 { return .done }
            if length < -1 { throw lostError("COPY data could not be read") }
            guard shouldWait else { return nil }
            _ = try wait(read: true, write: false, control: &control)
            guard PQconsumeInput(connection) != 0 else { throw lostError("could not read from the server") }
        }
    }

    // MARK: - Notifications

    enum NotificationWait {
        case received([PostgresNotification])
        case timedOut
        case interrupted
    }

    /// Waits on an idle connection until notifications arrive, `deadline` passes or the interrupt
    /// fires. Unlike ``wait(read:write:control:)`` an interrupt sends no cancel request: no
    /// statement runs, so there is nothing to cancel. `sessionEnded` tells whether a FATAL notice
    /// arrived meanwhile: the server ended the session, whether or not it closes the socket.
    func waitForNotifications(until deadline: ContinuousClock.Instant?,
                              sessionEnded: () -> Bool) throws -> NotificationWait {
        var readFailed = false
        while true {
            // libpq also absorbs notifications while it reads a statement's results (the LISTEN,
            // a keepalive), so some may be queued before anything new arrives; and those read
            // together with the end of the session are still handed out, before the loss.
            var received: [PostgresNotification] = []
            while let notify = PQnotifies(connection) {
                received.append(PostgresNotification(
                    channel: notify.pointee.relname.map { String(cString: $0) } ?? "",
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    backendPID: notify.pointee.be_pid))
                PQfreemem(notify)
            }
            if !received.isEmpty { return .received(received) }
            if readFailed || isBad { throw lostError("could not read from the server") }
            // A FATAL that the server sends before it closes the session reaches the notice
            // receiver while libpq reads it; the session is over even if the socket stays open.
            if sessionEnded() { throw lostError("the server ended the session") }
            let socket = PQsocket(connection)
            guard socket >= 0 else { throw lostError("the connection has no socket") }
            switch poll(socket, read: true, write: false, deadline: deadline, watchInterrupt: true) {
            case .interrupted:
                return .interrupted
            case .timedOut:
                return .timedOut
            case .ready:
                readFailed = PQconsumeInput(connection) == 0
            }
        }
    }
}

// MARK: - Helpers

/// Receives server notices on the connection thread and hands them to Swift. Results keep it
/// alive too, because libpq copies its address into every result it creates.
final class NoticeSink: Sendable {
    let handler: @Sendable (PostgresError) -> Void
    init(_ handler: @escaping @Sendable (PostgresError) -> Void) { self.handler = handler }
}

private let noticeReceiver: PQnoticeReceiver = { argument, result in
    guard let argument, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(argument).takeUnretainedValue()
    func field(_ code: UInt8) -> String? {
        PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
    }
    let notice = PostgresError(
        sqlState: SQLState(rawValue: field(UInt8(ascii: "C")) ?? "00000"),
        severity: field(UInt8(ascii: "V")) ?? field(UInt8(ascii: "S")) ?? "NOTICE",
        message: field(UInt8(ascii: "M")) ?? "",
        detail: field(UInt8(ascii: "D")),
        hint: field(UInt8(ascii: "H"))
    )
    sink.handler(notice)
}

private func withBinaryFormats<R>(_ count: Int, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    if count == 0 { return body(nil) }
    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { formats in
        formats.initialize(repeating: 1)
        return body(UnsafePointer(formats.baseAddress))
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { duplicated.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { preconditionFailure("an array holding a terminator has storage") }
        return body(base)
    }
}

@inline(__always)
private func Glibc_poll(_ descriptors: UnsafeMutablePointer<pollfd>, _ count: nfds_t, _ timeout: Int32) -> Int32 {
    poll(descriptors, count, timeout)
}
