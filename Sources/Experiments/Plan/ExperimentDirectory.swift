import Foundation
import RunSupport
import Training

/// How `mpvqa run` takes an experiment's directory `runs/<name>/` and its cells (README
/// "Errors"): the directory must be mpvqa's (its ownership marker, or the `manifest.yaml` copy
/// an earlier version left), and one `mpvqa run` of a manifest writes at a time; a second one
/// waits for the first and says so, and a cell another process is training is waited for.
public enum ExperimentDirectory {
    /// Whether an earlier mpvqa version wrote this experiment directory (before the marker).
    public static func isLegacy(_ root: URL) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("manifest.yaml").path)
    }

    /// Checks, marks and locks `root`. Another process holding it: with `waiting` nil the
    /// claim is refused naming its pid; otherwise `waiting` is told the pid and the call blocks
    /// until it is free. Returns whether it waited (the caller then plans again: the other
    /// process may have finished steps).
    @discardableResult
    public static func claim(_ root: URL, force: Bool = false, waiting: ((Int32) -> Void)? = nil) throws -> Bool {
        try OwnershipMarker.claim(root, what: "experiment directory", option: "--runs-dir", force: force, legacy: isLegacy)
        var waited = false
        try RunDirectoryLock.acquire(root, waiting: waiting.map { say in { pid in waited = true; say(pid) } })
        return waited
    }

    /// Before a cell's training: when its run directory exists and another process writes into
    /// it (an `mpvqa train --run-dir` on it, or another runner), says so on `log` and waits.
    /// Returns after taking the cell's lock, or at once when the directory does not exist yet
    /// (the trainer creates and locks it).
    public static func holdCell(_ dir: URL, label: String, log: RunLog) throws {
        guard OwnershipMarker.isOwned(dir) || RunDirectory.isLegacyRun(dir) else { return }
        try RunDirectoryLock.acquire(dir) { pid in
            log("\(label): \(dir.path) is being written by another mpvqa process (pid \(pid)); waiting for it to finish")
        }
    }
}
