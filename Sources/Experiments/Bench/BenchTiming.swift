import Foundation

/// Wall-clock timing helpers for benchmarks.
public enum BenchTiming {
    /// Monotonic time in seconds.
    @inline(__always)
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// Seconds taken by `body`.
    @inline(__always)
    public static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return now() - start
    }

    /// Runs `body` `warmup` times untimed, then `repeats` times timed; returns the samples in seconds.
    public static func samples(warmup: Int, repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var out: [Double] = []
        out.reserveCapacity(repeats)
        for _ in 0..<repeats { out.append(try time(body)) }
        return out
    }

    /// The median (mean of the two middle values for an even count); 0 for no values.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    /// Peak resident set size of this process so far, in bytes.
    ///
    /// On Linux this is `VmHWM` of /proc/self/status, the high-water mark of this program's
    /// own address space: `getrusage`'s `ru_maxrss` also counts the parent's pages copied at
    /// fork, so a bench started by a large process (a test runner) would report its size.
    public static func peakResidentBytes() -> Int {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
            return kib * 1024
        }
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024
        #else
        var usage = rusage()
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)
        #endif
    }
}
