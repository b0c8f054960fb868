import CLibPQ

/// The few system calls Tusk makes outside libpq, kept behind the one folder that imports the
/// C module.
enum SystemCalls {
    /// Names the calling thread (Linux keeps 15 characters).
    static func setCurrentThreadName(_ name: String) {
        tusk_set_thread_name(String(name.prefix(15)))
    }
}

extension SystemCalls {
    /// Whether `socket` has input pending (data, end of file or an error), without waiting and
    /// without consuming anything. Safe from any thread.
    static func hasPendingInput(_ socket: Int32) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        var immediately = timespec(tv_sec: 0, tv_nsec: 0)
        return tusk_ppoll(&descriptor, 1, &immediately) != 0 && descriptor.revents != 0
    }
}
