import Foundation

/// Only the tool's own files are replaced (README "Errors"): every directory `mpvqa` creates
/// to write into (run directories, synthetic datasets, an experiment's `runs/<name>/`) carries
/// the marker file `.mpvqa-owned`. Writing into an existing non-empty directory without it is
/// refused unless the user passes `--force` (then the marker is added).
///
/// ```swift
/// try OwnershipMarker.claim(runDirectory, what: "run directory", option: "--run-dir", force: force)
/// ```
public enum OwnershipMarker {
    /// The marker's name inside an owned directory.
    public static let fileName = ".mpvqa-owned"

    /// Whether `directory` carries the marker.
    public static func isOwned(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(fileName).path)
    }

    /// Whether `directory` is missing or empty (nothing in it could be someone else's).
    public static func isAbsentOrEmpty(_ directory: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return true }
        guard isDirectory.boolValue else { return false }
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? ["?"]).isEmpty
    }

    /// Checks, without writing anything, that the tool may write into `directory`: it is missing,
    /// empty, marked, recognised by `legacy` (a directory an earlier version wrote, before the
    /// marker existed), or `force` is set. A path that is a file is always refused.
    /// `what` and `option` name the directory in the message ("run directory", "--run-dir").
    public static func check(_ directory: URL, what: String, option: String, force: Bool,
                             legacy: (URL) -> Bool = { _ in false }) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw OwnershipError(path: directory.path, option: option, "is a file; expected a \(what) (a directory)")
        }
        if force || isOwned(directory) || isAbsentOrEmpty(directory) || legacy(directory) { return }
        throw OwnershipError(path: directory.path, option: option,
                             "not a \(what) written by mpvqa (no \(fileName) in it) and not empty; choose another directory, or pass --force to write into it")
    }

    /// Creates `directory` (with parents) if needed and writes the marker in it when missing.
    /// Call after `check` and after every other check of the command: this is a first write.
    public static func mark(_ directory: URL) throws {
        try FileSystemError.naming("create directory", directory) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let marker = directory.appendingPathComponent(fileName)
        if !FileManager.default.fileExists(atPath: marker.path) {
            try AtomicFile.write("written by mpvqa: files in this directory may be replaced by mpvqa\n", to: marker)
        }
    }

    /// `check`, then `mark`.
    public static func claim(_ directory: URL, what: String, option: String, force: Bool,
                             legacy: (URL) -> Bool = { _ in false }) throws {
        try check(directory, what: what, option: option, force: force, legacy: legacy)
        try mark(directory)
    }

    /// Checks that an existing file at `url` may be replaced: missing, `isOurs` recognises it
    /// (e.g. it parses as the tool's own format), or `force`. Writes nothing.
    public static func checkReplaceable(_ url: URL, what: String, option: String, force: Bool,
                                        isOurs: (URL) -> Bool) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            throw OwnershipError(path: url.path, option: option, "is a directory; expected a \(what) file")
        }
        if force || isOurs(url) { return }
        throw OwnershipError(path: url.path, option: option,
                             "exists and is not a \(what) written by mpvqa; choose another path, or pass --force to replace it")
    }
}

/// A write the tool refuses because the destination is not its own.
public struct OwnershipError: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    /// The option that named the destination (`--out`, `--run-dir`).
    public var option: String
    public var message: String

    public init(path: String, option: String, _ message: String) {
        self.path = path
        self.option = option
        self.message = message
    }

    public var description: String { "\(option) \(path): \(message)" }
}
