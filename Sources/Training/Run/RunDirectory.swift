import Foundation
import RunSupport

/// The files of one training run (README "Configs and runs"):
///
/// ```
/// <run>/config.yaml            resolved configuration (every key)
/// <run>/run.json               seed, commit, toolchain, machine, BLAS kernel, threads, start time
/// <run>/train.log              plain log lines
/// <run>/metrics.jsonl          one JSON object per logged step / validation
/// <run>/tokenizer.json         the tokenizer the model was trained with
/// <run>/checkpoints/latest.safetensors, best.safetensors
/// <run>/eval/<split>/metrics.json, predictions.jsonl, submission.json
/// ```
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var config: URL { url.appendingPathComponent("config.yaml") }
    public var runInfo: URL { url.appendingPathComponent("run.json") }
    public var log: URL { url.appendingPathComponent("train.log") }
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    public var tokenizer: URL { url.appendingPathComponent("tokenizer.json") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var latestCheckpoint: URL { checkpoints.appendingPathComponent("latest.safetensors") }
    public var bestCheckpoint: URL { checkpoints.appendingPathComponent("best.safetensors") }

    public func evaluation(_ split: String) -> URL { url.appendingPathComponent("eval/\(split)") }

    /// Creates the directory tree.
    public func create() throws {
        try FileSystemError.naming("create directory", checkpoints) {
            try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        }
    }

    /// Whether a run already started here (a resolved config exists).
    public var exists: Bool { FileManager.default.fileExists(atPath: config.path) }
}

/// Appends lines to a run's log file and echoes them to stderr.
public final class RunLog: @unchecked Sendable {
    private var handle: FileHandle?
    /// Lines logged before the file was attached (`init(pendingEcho:)`).
    private var pending: [String]?
    private let lock = NSLock()
    public let echo: Bool

    public init(_ url: URL, echo: Bool = true) {
        handle = RunLog.open(url)
        self.echo = echo
    }

    /// A log without a file yet: lines are echoed and kept until `attach(_:)`, so a command
    /// that is refused during its checks has written nothing (README "Errors").
    public init(pendingEcho echo: Bool = true) {
        pending = []
        self.echo = echo
    }

    /// Opens `url` for appending and writes the lines logged so far into it.
    public func attach(_ url: URL) {
        lock.lock(); defer { lock.unlock() }
        guard handle == nil else { return }
        handle = RunLog.open(url)
        for line in pending ?? [] { try? handle?.write(contentsOf: Data(line.utf8)) }
        pending = nil
    }

    private static func open(_ url: URL) -> FileHandle? {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try? FileHandle(forWritingTo: url)
        _ = try? handle?.seekToEnd()
        return handle
    }

    /// Writes `message` with a UTC timestamp.
    public func callAsFunction(_ message: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        let line = "\(stamp) \(message)\n"
        lock.lock(); defer { lock.unlock() }
        if pending != nil { pending?.append(line) }
        try? handle?.write(contentsOf: Data(line.utf8))  // a full disk must not stop training over a log line
        if echo { FileHandle.standardError.write(Data(line.utf8)) }
    }

    deinit { try? handle?.close() }
}

/// Appends JSON objects, one per line (`metrics.jsonl`, `predictions.jsonl`).
public final class JSONLinesWriter: @unchecked Sendable {
    private let handle: FileHandle

    private let url: URL

    public init(_ url: URL, truncate: Bool = false) throws {
        self.url = url
        if truncate || !FileManager.default.fileExists(atPath: url.path) {
            try FileSystemError.naming("create directory", url.deletingLastPathComponent()) {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw FileSystemError(operation: "create", path: url.path, reason: FileSystemError.posixReason(errno))
            }
        }
        handle = try FileSystemError.naming("open for appending", url) { try FileHandle(forWritingTo: url) }
        try FileSystemError.naming("append to", url) { _ = try handle.seekToEnd() }
    }

    public func write(_ object: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        data.append(0x0A)
        try FileSystemError.naming("append to", url) { try handle.write(contentsOf: data) }
    }

    deinit { try? handle.close() }
}
