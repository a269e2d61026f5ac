import Foundation
import TensorCore

/// A window of training steps run under `OpProfiler` (README "Performance", profiling a
/// training run): with `MPVQA_PROFILE_STEPS=FIRST:COUNT` in the environment, steps
/// FIRST..<FIRST+COUNT are profiled and the time per op, per step, is logged after the last.
/// A validation that falls inside the window is profiled with it: pick a window between
/// validation steps (`train.eval_every`).
final class ProfileWindow {
    let first: Int
    let count: Int
    private var started = Date()

    init(first: Int, count: Int) {
        self.first = first
        self.count = count
    }

    /// The window `MPVQA_PROFILE_STEPS` names, or nil when unset or not `FIRST:COUNT`.
    static func fromEnvironment() -> ProfileWindow? {
        guard let value = ProcessInfo.processInfo.environment["MPVQA_PROFILE_STEPS"] else { return nil }
        let parts = value.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 0, parts[1] > 0 else {
            FileHandle.standardError.write(Data("MPVQA_PROFILE_STEPS='\(value)' ignored: expected FIRST:COUNT (e.g. 200:40)\n".utf8))
            return nil
        }
        return ProfileWindow(first: parts[0], count: parts[1])
    }

    func stepBegins(_ step: Int) {
        guard step >= first && step < first + count else { return }
        if step == first {
            OpProfiler.enable()
            started = Date()
        }
        OpProfiler.mark()
    }

    func stepEnded(_ step: Int, log: RunLog) {
        guard step == first + count - 1 else { return }
        OpProfiler.disable()
        let milliseconds = Date().timeIntervalSince(started) * 1e3 / Double(count)
        log(String(format: "op profile of steps %d..<%d: %.2f ms per step in all (ops, data wait, clipping, update); per step:\n",
                   first, first + count, milliseconds) + OpProfiler.snapshot().table(steps: count))
    }
}
