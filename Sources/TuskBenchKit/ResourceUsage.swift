#if canImport(Glibc)
import Glibc
#endif

/// CPU time and context switches, from `getrusage`: what a timed region cost the client, beside
/// how fast it ran. CPU time does not drift with the other processes on the machine as much as a
/// rate does, and voluntary switches count the thread hops a query takes.
struct ResourceUsage: Sendable {
    /// User plus system CPU time, in microseconds.
    var cpuMicroseconds: Double
    /// Voluntary context switches: a thread that waited (for the socket, for another thread).
    var voluntarySwitches: Double
    /// Involuntary context switches: a thread the kernel preempted.
    var involuntarySwitches: Double

    /// This process, every thread.
    static func process() -> ResourceUsage { sample(RUSAGE_SELF.rawValue) }

    /// Child processes that have ended and been waited for (pgbench, psql).
    static func children() -> ResourceUsage { sample(RUSAGE_CHILDREN.rawValue) }

    private static func sample(_ who: Int32) -> ResourceUsage {
        var usage = rusage()
        guard getrusage(who, &usage) == 0 else { return ResourceUsage(cpuMicroseconds: 0, voluntarySwitches: 0, involuntarySwitches: 0) }
        func micros(_ time: timeval) -> Double { Double(time.tv_sec) * 1_000_000 + Double(time.tv_usec) }
        return ResourceUsage(cpuMicroseconds: micros(usage.ru_utime) + micros(usage.ru_stime),
                             voluntarySwitches: Double(usage.ru_nvcsw), involuntarySwitches: Double(usage.ru_nivcsw))
    }

    static func - (lhs: ResourceUsage, rhs: ResourceUsage) -> ResourceUsage {
        ResourceUsage(cpuMicroseconds: lhs.cpuMicroseconds - rhs.cpuMicroseconds,
                      voluntarySwitches: lhs.voluntarySwitches - rhs.voluntarySwitches,
                      involuntarySwitches: lhs.involuntarySwitches - rhs.involuntarySwitches)
    }

    /// The per-operation figures a report shows, as `details`.
    func perOperation(_ count: Int) -> [String: Double] {
        guard count > 0 else { return [:] }
        let operations = Double(count)
        return ["cpu_us_per_query": cpuMicroseconds / operations,
                "voluntary_switches_per_query": voluntarySwitches / operations,
                "involuntary_switches_per_query": involuntarySwitches / operations]
    }
}
