import Foundation

/// A file-system operation that failed, in plain words: what was being done, to which path,
/// and why (`cannot create directory runs/x/checkpoints: permission denied`), instead of a
/// raw `NSCocoaErrorDomain` code.
///
/// ```swift
/// try FileSystemError.naming("create directory", url) {
///     try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
/// }
/// ```
public struct FileSystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was being done ("write", "create directory", "read", "rename").
    public var operation: String
    public var path: String
    /// Why it failed ("permission denied", "read-only file system", "no space left on device").
    public var reason: String

    public init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot \(operation) \(path): \(reason)" }

    /// Runs `body`; a Foundation or POSIX error becomes a `FileSystemError` naming `operation` and `url`.
    public static func naming<T>(_ operation: String, _ url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FileSystemError { throw error } catch {
            guard var reason = reason(of: error) else { throw error }
            let failed = path(of: error) ?? url.path
            if reason.hasPrefix("file-system error"), let diagnosed = diagnose(failed) { reason = diagnosed }
            throw FileSystemError(operation: operation, path: failed, reason: reason)
        }
    }

    /// The plain-words reason of a Foundation (Cocoa) or POSIX error, or nil for other errors.
    public static func reason(of error: Error) -> String? {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posixReason(Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return posixReason(Int32(ns.code)) }
        guard ns.domain == NSCocoaErrorDomain else { return nil }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteOutOfSpace: return "no space left on device"
        case .fileWriteFileExists: return "a file of that name already exists"
        case .fileReadCorruptFile: return "the file is damaged or not in the expected format"
        case .fileReadInapplicableStringEncoding: return "not text in the expected encoding"
        case .fileReadTooLarge: return "the file is too large"
        case .fileLocking: return "the file is locked"
        default:
            if let path = path(of: error) {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return "it is a directory, expected a file"
                }
                if let diagnosed = diagnose(path) { return diagnosed }
            }
            if let description = ns.userInfo[NSLocalizedDescriptionKey] as? String, !description.contains("NSCocoaErrorDomain") {
                return description
            }
            return "file-system error \(ns.code)"
        }
    }

    /// Why a path cannot be created or written, found by looking at its nearest existing
    /// ancestor (Foundation reports such failures with a bare "unknown" code).
    public static func diagnose(_ path: String) -> String? {
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            let parent = ancestor.deletingLastPathComponent()
            if parent.path == ancestor.path { return nil }
            ancestor = parent
        }
        if !isDirectory.boolValue { return "\(ancestor.path) is a file, not a directory" }
        if access(ancestor.path, W_OK) != 0 { return "\(ancestor.path) is not writable (\(posixReason(errno)))" }
        return nil
    }

    /// The path a Foundation error names, if any.
    static func path(of error: Error) -> String? {
        let ns = error as NSError
        return (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    }

    /// `strerror` in lower case ("permission denied").
    public static func posixReason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
