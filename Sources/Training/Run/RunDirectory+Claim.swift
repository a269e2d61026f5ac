import Foundation
import RunSupport

/// How a training takes its run directory (README "Errors"): every check happens before the
/// first write, one process writes at a time, and only mpvqa's own directories are written into.
extension RunDirectory {
    /// Whether an earlier mpvqa version wrote this directory (before the ownership marker
    /// existed): its `run.json` decodes as a `RunInfo` and it has a `config.yaml`.
    public static func isLegacyRun(_ url: URL) -> Bool {
        let run = RunDirectory(url)
        guard FileManager.default.fileExists(atPath: run.config.path),
              let data = FileManager.default.contents(atPath: run.runInfo.path) else { return false }
        return (try? JSONDecoder().decode(RunInfo.self, from: data)) != nil
    }

    /// The read-only checks of a training start, in order: the directory is the tool's (or
    /// `force`), no other process writes into it (its lock is taken here when it exists, so
    /// the checks that follow see a directory nobody changes), and it holds a run exactly when
    /// `resume` says so. Nothing is written (taking the lock creates only the empty lock file).
    public func checkBeforeTraining(resume: Bool, force: Bool) throws {
        try OwnershipMarker.check(url, what: "run directory", option: "--run-dir", force: force, legacy: RunDirectory.isLegacyRun)
        // The output location: a directory that could not be created fails now, not after the work.
        if !FileManager.default.fileExists(atPath: url.path), let reason = FileSystemError.diagnose(url.path) {
            throw FileSystemError(operation: "create directory", path: url.path, reason: reason)
        }
        if OwnershipMarker.isOwned(url) || RunDirectory.isLegacyRun(url) {
            try RunDirectoryLock.acquire(url)
        }
        if resume {
            guard FileManager.default.fileExists(atPath: latestCheckpoint.path) else {
                throw ConfigError(source: url.path, key: "--resume", "no checkpoint to resume from (expected \(latestCheckpoint.path))")
            }
        } else if exists && FileManager.default.fileExists(atPath: latestCheckpoint.path) {
            throw ConfigError(source: url.path, key: "--run-dir", "already holds a run; pass --resume to continue it or choose another directory")
        }
    }

    /// The first write of a training, after every check: creates the directory tree with its
    /// ownership marker, takes the lock (refused when another process took it meanwhile) and
    /// removes what an interrupted save of this run left behind.
    public func claimForTraining() throws {
        try OwnershipMarker.mark(url)
        try RunDirectoryLock.acquire(url)
        try create()
        removeLeftovers()
    }

    /// Removes the temporary files of an interrupted atomic write (`.NAME.tmp-PID-N`, see
    /// `AtomicFile`) in the run directory and its `checkpoints/`. Only safe while holding the
    /// run's lock: then no other process can be writing them.
    @discardableResult
    public func removeLeftovers() -> [URL] {
        var removed: [URL] = []
        for dir in [url, checkpoints] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
                let file = dir.appendingPathComponent(name)
                if (try? FileManager.default.removeItem(at: file)) != nil { removed.append(file) }
            }
        }
        return removed
    }
}
