import Foundation

// Selecting OpenBLAS's compute kernel.
//
// A DYNAMIC_ARCH OpenBLAS (Debian's 0.3.21) picks its kernel from CPUID when the library
// loads, before `main`. On CPU models it does not know it falls back to the generic SSE3
// `Prescott` kernel, 3–5× slower than the AVX2/AVX-512 kernels the CPU can run. The
// variable OPENBLAS_CORETYPE overrides the choice, but it is read only at load time, so
// the fix is to set it and re-execute the program once (`applyAtLaunch`).
//
// The decision itself (`decide`) is a pure function of the CPU flags, the kernel that
// loaded and the environment; it is what the tests check.

/// Chooses a better OpenBLAS kernel when OpenBLAS fell back to a generic one.
///
/// ```swift
/// // first thing in `main`:
/// BLASKernelSelection.applyAtLaunch()   // may re-execute the process once
/// print(BLASRuntime.summary)            // "OpenBLAS 0.3.21 kernel Haswell (...), ..."
/// ```
public enum BLASKernelSelection {
    /// OpenBLAS's override, read when the library loads.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set by `applyAtLaunch` before re-executing, to the kernel that loaded first;
    /// its presence stops a second re-execution.
    public static let reexecGuardVariable = "MPVQA_BLAS_REEXEC_FROM"
    /// For tests of the re-execution path on machines where OpenBLAS does not fall back:
    /// `applyAtLaunch` decides as if this kernel had loaded.
    public static let assumeLoadedVariable = "MPVQA_BLAS_TEST_ASSUME_LOADED"

    /// Instruction-set level an OpenBLAS x86-64 kernel is written for.
    public enum KernelLevel: Int, Comparable, Sendable, CustomStringConvertible {
        case sse = 0, avx, avx2, avx512

        public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .sse: "SSE"
            case .avx: "AVX"
            case .avx2: "AVX2+FMA"
            case .avx512: "AVX-512"
            }
        }
    }

    /// The x86-64 kernel names OpenBLAS reports (`openblas_get_corename`), lower-cased, by level.
    /// Names not listed (other architectures, future kernels) are never overridden.
    static let kernelLevels: [String: KernelLevel] = {
        var table: [String: KernelLevel] = [:]
        for name in ["katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
                     "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat"] {
            table[name] = .sse
        }
        for name in ["sandybridge", "bulldozer", "piledriver", "steamroller", "excavator"] { table[name] = .avx }
        for name in ["haswell", "zen"] { table[name] = .avx2 }
        for name in ["skylakex", "cooperlake", "sapphirerapids"] { table[name] = .avx512 }
        return table
    }()

    /// The level of a kernel name as OpenBLAS reports it, nil when unknown.
    public static func level(ofKernel name: String) -> KernelLevel? { kernelLevels[name.lowercased()] }

    /// What the CPU can run: vendor and feature flags as `/proc/cpuinfo` lists them.
    public struct CPUFeatures: Equatable, Sendable {
        /// `vendor_id`, e.g. `AuthenticAMD`, `GenuineIntel` (empty when unknown).
        public var vendor: String
        /// Feature flags, e.g. `avx2`, `fma`, `avx512f`.
        public var flags: Set<String>

        public init(vendor: String, flags: Set<String>) {
            self.vendor = vendor
            self.flags = flags
        }

        /// Parses the first processor block of a `/proc/cpuinfo` text.
        public init(cpuinfo: String) {
            var vendor = "", flags = Set<String>()
            for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.allSatisfy(\.isWhitespace), !flags.isEmpty { break }  // end of the first processor
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if key == "vendor_id", vendor.isEmpty { vendor = value }
                if key == "flags", flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
            }
            self.init(vendor: vendor, flags: flags)
        }

        /// This machine's features (empty when `/proc/cpuinfo` is unreadable, e.g. not Linux).
        public static func current() -> CPUFeatures {
            let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            return CPUFeatures(cpuinfo: text)
        }

        /// The highest kernel level these flags support (OS-enabled: Linux hides flags whose
        /// register state the kernel does not save), nil when not even SSE3 is listed.
        public var supportedLevel: KernelLevel? {
            if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return .avx512 }
            if flags.contains("avx2"), flags.contains("fma") { return .avx2 }
            if flags.contains("avx") { return .avx }
            if flags.contains("pni") || flags.contains("sse3") { return .sse }
            return nil
        }
    }

    /// The kernel to request for a CPU level. AVX2 machines get `Haswell` on AMD too: on
    /// this project's Zen 3 machine its sgemm ran 8–14% faster than the `Zen` kernel on
    /// our shapes (same library; see the bench report).
    public static func preferredKernel(for level: KernelLevel) -> String? {
        switch level {
        case .avx512: "SkylakeX"
        case .avx2: "Haswell"
        case .avx, .sse: nil  // OpenBLAS's own pick is as good as anything we would name
        }
    }

    /// What to do about the kernel at launch.
    public enum Decision: Equatable, Sendable {
        /// Leave the loaded kernel in place, with the reason.
        case keep(reason: String)
        /// Set OPENBLAS_CORETYPE to `kernel` and re-execute, with the reason.
        case select(kernel: String, reason: String)
    }

    /// Decides whether to override OpenBLAS's kernel.
    ///
    /// Overrides only when the loaded kernel is a generic fallback (known, and below
    /// AVX2) and the CPU supports a higher level, never when OPENBLAS_CORETYPE is already
    /// set (by the user, the system, or an earlier re-execution), and never twice.
    public static func decide(cpu: CPUFeatures, loadedKernel: String, environment: [String: String]) -> Decision {
        if let set = environment[coreTypeVariable], !set.isEmpty {
            return .keep(reason: "\(coreTypeVariable)=\(set) is set in the environment")
        }
        if let from = environment[reexecGuardVariable] {
            return .keep(reason: "already re-executed once (from \(from.isEmpty ? "unknown" : from))")
        }
        guard let loadedLevel = level(ofKernel: loadedKernel) else {
            return .keep(reason: "kernel \(loadedKernel) is not a known x86-64 fallback")
        }
        guard loadedLevel < .avx2 else {
            return .keep(reason: "\(loadedKernel) is OpenBLAS's own choice for this CPU")
        }
        guard let cpuLevel = cpu.supportedLevel, cpuLevel > loadedLevel,
              let better = preferredKernel(for: cpuLevel) else {
            return .keep(reason: "the CPU supports no kernel above \(loadedKernel) (\(loadedLevel))")
        }
        return .select(kernel: better, reason: "OpenBLAS fell back to \(loadedKernel) (\(loadedLevel)) on a CPU with \(cpuLevel)")
    }

    /// Runs `decide` for this process and, when it says `select`, sets OPENBLAS_CORETYPE and
    /// re-executes `/proc/self/exe` with the same arguments. Call it first thing in `main`,
    /// before any other thread starts. Returns (with a warning on stderr) if exec fails.
    public static func applyAtLaunch() {
        let environment = ProcessInfo.processInfo.environment
        let loaded = environment[assumeLoadedVariable] ?? BLASRuntime.kernelName
        let decision = decide(cpu: .current(), loadedKernel: loaded, environment: environment)
        guard case .select(let kernel, let reason) = decision else { return }
        setenv(coreTypeVariable, kernel, 1)
        setenv(reexecGuardVariable, loaded, 1)
        unsetenv(assumeLoadedVariable)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: continue on the loaded kernel, with an honest environment.
        let cause = String(cString: strerror(errno))
        unsetenv(coreTypeVariable)
        unsetenv(reexecGuardVariable)
        FileHandle.standardError.write(Data(
            "mpvqa: warning: \(reason); could not re-execute with \(coreTypeVariable)=\(kernel) (\(cause)), continuing with \(BLASRuntime.kernelName)\n".utf8))
    }

    /// How the loaded kernel came to be, for logs: selected by `applyAtLaunch`, set in the
    /// environment, or OpenBLAS's own detection.
    public static var origin: String {
        let env = ProcessInfo.processInfo.environment
        if let from = env[reexecGuardVariable], let set = env[coreTypeVariable] {
            return "selected by mpvqa: \(coreTypeVariable)=\(set), OpenBLAS had loaded \(from)"
        }
        if let set = env[coreTypeVariable], !set.isEmpty { return "\(coreTypeVariable)=\(set) from the environment" }
        return "OpenBLAS's own detection"
    }
}
