import Foundation
import TensorCore

/// What a run was made with: seed, commit, toolchain, machine, BLAS kernel and threads.
public struct RunInfo: Codable, Sendable {
    public var seed: Int
    public var commit: String
    public var toolchain: String
    public var machine: String
    public var blasKernel: String
    public var threads: Int
    public var started: String
    /// Feature caches the run read (cached mode): role, split, file and cache key.
    public var caches: [CacheRecord]? = nil
    /// Where each trainable group started (cached mode).
    public var initialisation: [GroupSource]? = nil
    /// The training mode the run trained with: `end_to_end` or `cached`.
    public var mode: String? = nil

    enum CodingKeys: String, CodingKey {
        case seed, commit, toolchain, machine, threads, started, caches, initialisation, mode
        case blasKernel = "blas_kernel"
    }

    /// The current process's values.
    public static func current(seed: Int) -> RunInfo {
        RunInfo(seed: seed, commit: shell("git rev-parse --short HEAD") ?? "unknown",
                toolchain: shell("swift --version 2>&1 | head -1") ?? "unknown",
                machine: "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, \(cpuModel())",
                blasKernel: BLASRuntime.kernelName, threads: Parallel.threads,
                started: ISO8601DateFormatter().string(from: Date()))
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        }
        return "unknown CPU"
    }

    static func shell(_ command: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : nil
    }
}
