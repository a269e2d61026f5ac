import Foundation

/// Runs `experiments/reference/h5py_cache_throughput.py` (the same layout, chunking and commit
/// pattern as `FeatureStoreThroughput`, written and read by h5py) when python3 with h5py is
/// available, for the h5py figures of `mpvqa bench`.
public enum H5pyThroughput {
    public struct Result: Decodable, Sendable {
        public let writeMBPerSecond: Double
        public let readMBPerSecond: Double
        public let questionReadMicroseconds: Double

        enum CodingKeys: String, CodingKey {
            case writeMBPerSecond = "write_mb_s", readMBPerSecond = "read_mb_s", questionReadMicroseconds = "question_read_us"
        }
    }

    /// nil when the script is not under `root` or python3/h5py is missing or fails.
    public static func measure(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                               rows: Int = 4096, summaryTokens: Int = 8, modelDim: Int = 256, batchRows: Int = 64,
                               pagesPerQuestion: Int = 8) -> Result? {
        let script = root.appendingPathComponent("experiments/reference/h5py_cache_throughput.py")
        guard FileManager.default.fileExists(atPath: script.path) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--rows", "\(rows)", "--K", "\(summaryTokens)", "--d", "\(modelDim)",
                             "--batch", "\(batchRows)", "--pages", "\(pagesPerQuestion)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return try? JSONDecoder().decode(Result.self, from: data)
    }
}
