import ArgumentParser
import Foundation
import RunSupport
import TensorCore

extension MPVQA {
    /// Process entry point (`@main` calls this instead of `ParsableCommand.main()`): first
    /// selects the OpenBLAS kernel, which may re-execute the process once with
    /// OPENBLAS_CORETYPE set (see `BLASKernelSelection`), then parses and runs the command.
    /// A Foundation file error that reached this far is printed in plain words, never as a
    /// raw `NSCocoaErrorDomain` code.
    static func main() {
        requireNumericCPUFeatures()
        BLASKernelSelection.applyAtLaunch()
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch let error as FileSystemError {
            exit(withError: error)
        } catch {
            if let reason = FileSystemError.reason(of: error) {
                let ns = error as NSError
                let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
                exit(withError: FileSystemError(operation: "access", path: path, reason: reason))
            }
            exit(withError: error)
        }
    }

    /// The numeric modules of this build use AVX2, FMA, F16C and BMI2 (Package.swift
    /// `numericTargetCPU`): on a CPU without them their first such instruction would end the
    /// process by SIGILL, so this runs before any of their code and refuses with the reason.
    /// It lives in this module, which is compiled for any x86-64. Without `/proc/cpuinfo`
    /// (not Linux) it cannot tell and lets the process go on.
    ///
    /// Test hook: `MPVQA_CPUINFO=FILE` reads the flags from FILE instead (a CPU without AVX2
    /// can then be tested on any machine).
    static func requireNumericCPUFeatures() {
        #if MPVQA_NEEDS_AVX2
        let path = ProcessInfo.processInfo.environment["MPVQA_CPUINFO"] ?? "/proc/cpuinfo"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(line.split(separator: " ").map(String.init))
        let missing = ["avx2", "fma", "f16c", "bmi2"].filter { !flags.contains($0) }
        guard !missing.isEmpty else { return }
        FileHandle.standardError.write(Data("""
            Error: this mpvqa build runs AVX2/FMA code, and this CPU lacks \(missing.joined(separator: ", ")) (flags in \(path)). \
            Rebuild for any x86-64: set numericTargetCPU to nil in Package.swift, then swift build -c release.

            """.utf8))
        Foundation.exit(1)
        #endif
    }
}
