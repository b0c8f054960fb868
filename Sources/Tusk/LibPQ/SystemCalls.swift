import CLibPQ

/// The few system calls Tusk makes outside libpq, kept behind the one folder that imports the
/// C module.
enum SystemCalls {
    /// Names the calling thread (Linux keeps 15 characters).
    static func setCurrentThreadName(_ name: String) {
        tusk_set_thread_name(String(name.prefix(15)))
    }
}
