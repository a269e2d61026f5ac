import Foundation

/// The build products next to the running test bundle (`.build/<config>/`), where the
/// `mpvqa` executable lives, and a runner for it.
public enum BuiltProducts {
    /// `.build/<config>/`.
    public static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Runs the built `mpvqa` with `arguments`; returns exit status, stdout and stderr.
    public static func runMPVQA(_ arguments: [String], environment: [String: String]? = nil,
                                currentDirectory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = directory.appendingPathComponent("mpvqa")
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        // Files, not pipes: a chatty child can never block on a full pipe.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outURL = tmp.appendingPathComponent("stdout"), errURL = tmp.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
