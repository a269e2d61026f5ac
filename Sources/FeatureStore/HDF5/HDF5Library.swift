import CHDF5
import Foundation

/// A failed HDF5 call: what we asked for and the most specific message of HDF5's error stack.
/// Internal: the cache types turn it into a `FeatureCacheError` naming the file and field.
struct HDF5Failure: Error, CustomStringConvertible {
    let operation: String
    let detail: String
    var description: String { detail.isEmpty ? operation : "\(operation) (HDF5: \(detail))" }
}

/// Entry point for every HDF5 call: one process-wide lock and error-stack handling.
///
/// Debian's libhdf5 is built thread-safe, but our handles carry state (row counts, open
/// datasets) that must change together with the file, so calls are serialised here too.
/// HDF5 keeps its error stack and its auto-print switch per thread, so both are set up
/// inside every locked section.
enum HDF5 {
    private static let lock = NSRecursiveLock()
    private static let opened: Bool = { H5open() >= 0 }()

    /// Runs `body` holding the HDF5 lock, with automatic error printing off.
    static func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        _ = opened
        mpvqa_h5_silence_errors()
        return try body()
    }

    /// The most specific message on this thread's HDF5 error stack (and clears it).
    static func takeErrorMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        buffer.withUnsafeMutableBufferPointer { mpvqa_h5_take_error($0.baseAddress, $0.count) }
        return cString(buffer)
    }

    /// The NUL-terminated text in a C character buffer.
    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Throws unless an id-returning call succeeded (`id >= 0`).
    @discardableResult
    static func check(_ id: hid_t, _ operation: @autoclosure () -> String) throws -> hid_t {
        if id < 0 { throw HDF5Failure(operation: operation(), detail: takeErrorMessage()) }
        return id
    }

    /// Throws unless a status-returning call succeeded (`status >= 0`).
    static func check(_ status: herr_t, _ operation: @autoclosure () -> String) throws {
        if status < 0 { throw HDF5Failure(operation: operation(), detail: takeErrorMessage()) }
    }

    /// Evaluates a tri-state (`htri_t`) query: true, false, or throws on a negative value.
    static func check(tri value: htri_t, _ operation: @autoclosure () -> String) throws -> Bool {
        if value < 0 { throw HDF5Failure(operation: operation(), detail: takeErrorMessage()) }
        return value > 0
    }
}
