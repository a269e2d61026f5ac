import Foundation
import RunSupport

extension RunDirectory {
    /// Drops the `metrics.jsonl` records of steps after `step` (those a killed run logged
    /// after its last checkpoint), so a resumed run logs each step once. The file is replaced
    /// atomically; a line that is not a JSON object with a `step` (e.g. cut by the kill) is dropped.
    ///
    /// ```swift
    /// try run.truncateMetrics(toStep: state.step)   // before appending the resumed steps
    /// ```
    public func truncateMetrics(toStep step: Int) throws {
        guard FileManager.default.fileExists(atPath: metrics.path) else { return }
        let data = try FileSystemError.naming("read", metrics) { try Data(contentsOf: metrics) }
        var kept = Data()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let recorded = object["step"] as? Int, recorded <= step else { continue }
            kept.append(contentsOf: line)
            kept.append(0x0A)
        }
        if kept != data { try AtomicFile.write(kept, to: metrics) }
    }
}
