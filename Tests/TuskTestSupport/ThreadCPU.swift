#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU time used by this process's threads with a given name, from `/proc/self/task`: a way to
/// see that a thread is idle (blocked), not spinning, without timing anything.
public enum ThreadCPU {
    /// Clock ticks (user + system) used so far by the threads named `name` (the kernel keeps the
    /// first 15 bytes of a thread's name).
    public static func ticks(ofThreadsNamed name: String) -> Int {
        let wanted = String(name.utf8.prefix(15)) ?? name
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return 0 }
        var total = 0
        for task in tasks {
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == wanted,
                  let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            total += user + system
        }
        return total
    }

    /// Clock ticks per second (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
    public static var ticksPerSecond: Int { Int(sysconf(Int32(_SC_CLK_TCK))) }
}
