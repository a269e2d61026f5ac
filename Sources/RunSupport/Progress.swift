import Foundation

/// Progress of a long job: a redrawn bar with items/s and ETA on a terminal, plain
/// log lines (at most one every `logInterval` seconds) when stderr is a file or pipe.
///
/// ```swift
/// let progress = Progress("synth", total: pages.count, unit: "pages")
/// for page in pages { render(page); progress.advance() }
/// progress.finish()
/// ```
public final class Progress: @unchecked Sendable {
    public let label: String
    public let total: Int
    public let unit: String
    public private(set) var done = 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastDrawnDone = -1
    private let interactive: Bool
    private let logInterval: TimeInterval
    private let lock = NSLock()

    public init(_ label: String, total: Int, unit: String = "items", logInterval: TimeInterval = 10) {
        self.label = label
        self.total = total
        self.unit = unit
        self.logInterval = logInterval
        self.interactive = isatty(STDERR_FILENO) != 0
    }

    /// Items per second since the start.
    public var rate: Double { Double(done) / max(Date().timeIntervalSince(start), 1e-9) }

    /// Records `n` more finished items (thread-safe).
    public func advance(_ n: Int = 1, note: String = "") {
        lock.lock(); defer { lock.unlock() }
        done += n
        let now = Date()
        let interval = interactive ? 0.2 : logInterval
        if now.timeIntervalSince(lastDraw) >= interval || done == total {
            lastDraw = now
            draw(note: note)
        }
    }

    /// Prints the final line.
    public func finish(note: String = "") {
        lock.lock(); defer { lock.unlock() }
        if lastDrawnDone != done || !note.isEmpty { draw(note: note) }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw(note: String) {
        lastDrawnDone = done
        let elapsed = Date().timeIntervalSince(start)
        let r = Double(done) / max(elapsed, 1e-9)
        let eta = r > 0 && total > done ? Double(total - done) / r : 0
        let counts = "\(done)/\(total) \(unit)  \(String(format: "%.1f", r)) \(unit)/s  elapsed \(Progress.clock(elapsed))  ETA \(Progress.clock(eta))"
        let suffix = note.isEmpty ? "" : "  \(note)"
        if interactive {
            let width = 24
            let filled = total > 0 ? min(width, done * width / total) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) [\(bar)] \(counts)\(suffix)".utf8))
        } else {
            FileHandle.standardError.write(Data("\(label): \(counts)\(suffix)\n".utf8))
        }
    }

    /// `h:mm:ss` or `m:ss`.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
