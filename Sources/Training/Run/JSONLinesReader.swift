import Foundation
import RunSupport

/// Reads a JSON-lines file (`metrics.jsonl`, `predictions.jsonl`) strictly: every non-empty
/// line must be one JSON object, or the file is refused naming the file and the line
/// (README "Errors"), instead of a report skipping the damaged records silently.
///
/// ```swift
/// for record in try JSONLinesReader.objects(run.metrics) { print(record["step"] ?? "-") }
/// ```
public enum JSONLinesReader {
    /// The file's records in order; a missing file has none.
    public static func objects(_ url: URL) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try FileSystemError.naming("read", url) { try Data(contentsOf: url) }
        var records: [[String: Any]] = []
        var lineNumber = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                let shown = String(decoding: line.prefix(60), as: UTF8.self)
                throw JSONLinesError(file: url.path, line: lineNumber,
                                     "not a JSON object (a damaged or partly written record): \(shown)\(line.count > 60 ? "…" : "")")
            }
            records.append(object)
        }
        return records
    }
}

/// A damaged record in a JSON-lines file.
public struct JSONLinesError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
