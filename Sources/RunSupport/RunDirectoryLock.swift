import Foundation

/// One writer per directory (README "Errors"): an exclusive POSIX record lock (`fcntl`
/// `F_SETLK`) on `<dir>/.mpvqa-lock`, held until the process exits. The kernel releases it
/// when the process dies however it dies, so a killed run leaves no stale lock; the lock
/// file itself stays empty, so taking the lock never changes a byte of an existing file.
///
/// A second process is refused with the holder's pid (the kernel reports it, `F_GETLK`).
/// Within one process a directory is locked once and stays locked: taking it again returns at
/// once (so `mpvqa run` can hold a cell while its trainer takes the same lock).
///
/// ```swift
/// try RunDirectoryLock.acquire(runDirectory)                       // refuses when another process holds it
/// try RunDirectoryLock.acquire(cell, waiting: { pid in log("waiting for pid \(pid)") })
/// ```
public enum RunDirectoryLock {
    /// The lock file's name inside the locked directory.
    public static let fileName = ".mpvqa-lock"

    /// Locked directories (standardized path → open descriptor). The descriptors stay open for
    /// the process's life: closing any descriptor of the file would release a POSIX lock.
    private nonisolated(unsafe) static var held: [String: Int32] = [:]
    private static let guardLock = NSLock()

    /// Takes the lock of `directory` (which must exist). Another process holding it: with
    /// `waiting` nil, throws `RunDirectoryLockError.held`; otherwise calls `waiting` with the
    /// holder's pid once and blocks until the lock is free.
    public static func acquire(_ directory: URL, waiting: ((Int32) -> Void)? = nil) throws {
        let key = directory.standardizedFileURL.path
        guardLock.lock(); defer { guardLock.unlock() }
        if held[key] != nil { return }
        let path = directory.appendingPathComponent(fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileSystemError(operation: "open the lock file", path: path, reason: FileSystemError.posixReason(errno))
        }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        if fcntl(fd, F_SETLK, &lock) != 0 {
            let code = errno
            guard code == EACCES || code == EAGAIN else {
                close(fd)
                throw FileSystemError(operation: "lock", path: path, reason: FileSystemError.posixReason(code))
            }
            let holder = holderPID(fd)
            guard let waiting else {
                close(fd)
                throw RunDirectoryLockError.held(directory: directory.path, pid: holder)
            }
            waiting(holder)
            while fcntl(fd, F_SETLKW, &lock) != 0 {
                guard errno == EINTR else {
                    let reason = FileSystemError.posixReason(errno)
                    close(fd)
                    throw FileSystemError(operation: "lock", path: path, reason: reason)
                }
            }
        }
        held[key] = fd
    }

    /// Releases this process's lock of `directory` (a long grid would otherwise keep one
    /// descriptor per finished cell open). Nothing happens when it is not held.
    public static func release(_ directory: URL) {
        guardLock.lock(); defer { guardLock.unlock() }
        if let fd = held.removeValue(forKey: directory.standardizedFileURL.path) { close(fd) }
    }

    /// The pid of the process holding `directory`'s lock, or nil when it is free (or has no lock file).
    public static func holder(of directory: URL) -> Int32? {
        let fd = open(directory.appendingPathComponent(fileName).path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let pid = holderPID(fd)
        return pid > 0 ? pid : nil
    }

    /// Whether this process holds `directory`'s lock.
    public static func isHeld(_ directory: URL) -> Bool {
        guardLock.lock(); defer { guardLock.unlock() }
        return held[directory.standardizedFileURL.path] != nil
    }

    private static func holderPID(_ fd: Int32) -> Int32 {
        var probe = flock()
        probe.l_type = Int16(F_WRLCK)
        probe.l_whence = Int16(SEEK_SET)
        guard fcntl(fd, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return 0 }
        return probe.l_pid
    }
}

/// Another process writes into a directory this one was asked to write into.
public enum RunDirectoryLockError: Error, CustomStringConvertible, Equatable, Sendable {
    case held(directory: String, pid: Int32)

    public var description: String {
        switch self {
        case .held(let directory, let pid):
            "\(directory): in use by another mpvqa process (pid \(pid)); wait for it to finish or choose another directory"
        }
    }
}
