import Foundation

/// Writes files so that a killed process never leaves a half-written one behind:
/// the bytes go to a temporary name in the same directory, are flushed, and the
/// temporary file is renamed over the destination (atomic on POSIX file systems).
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating parent directories.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { tmp in try FileSystemError.naming("write", url) { try data.write(to: tmp) } }
    }

    /// Writes `text` (UTF-8) to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Lets `produce` write a file at a temporary URL, then renames it to `url`.
    /// On error the temporary file is removed and the destination is untouched.
    public static func write(to url: URL, _ produce: (URL) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        try FileSystemError.naming("create directory", dir) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try produce(tmp)
            let fd = open(tmp.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            if rename(tmp.path, url.path) != 0 {
                throw FileSystemError(operation: "replace", path: url.path, reason: FileSystemError.posixReason(errno))
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }
}
