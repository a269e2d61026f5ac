import Foundation
import Synchronization

/// Wall time and call counts per op name, for the forward pass and for each VJP in
/// `backward()`, plus the FLOPs of every BLAS product.
///
/// Forward time is the time between consecutive tape records: an op records its node
/// right after computing its output, so the gap since the previous record is that op's
/// forward time (plus any unrecorded glue before it, e.g. views). Call `mark()` where a
/// forward section starts so setup time is not charged to its first op. Backward time is
/// measured around each VJP; the rest of `backward()` (gradient accumulation, ordering) is
/// reported as `(backward other)`. When disabled, each hook costs one branch.
///
/// ```swift
/// OpProfiler.enable()
/// OpProfiler.mark()
/// let loss = model(x).crossEntropy(targets: t)
/// loss.backward()
/// print(OpProfiler.snapshot().table(steps: 1))
/// OpProfiler.disable()
/// ```
public enum OpProfiler {
    nonisolated(unsafe) private static var enabled = false
    private static let state = ProfilerState()
    private static let gemmFlopCount = Atomic<Int>(0)
    private static let gemmCallCount = Atomic<Int>(0)

    /// Whether ops are being timed.
    @inline(__always)
    public static var isEnabled: Bool { enabled }

    /// Clears all counts and starts profiling.
    public static func enable() {
        reset()
        enabled = true
    }

    /// Stops profiling (the counts stay readable through `snapshot()`).
    public static func disable() { enabled = false }

    /// Clears all counts.
    public static func reset() {
        state.reset(now: now())
        gemmFlopCount.store(0, ordering: .relaxed)
        gemmCallCount.store(0, ordering: .relaxed)
    }

    /// Starts a forward section: the time since the last op is not charged to the next one.
    public static func mark() {
        guard enabled else { return }
        state.mark(now: now())
    }

    /// The counts so far.
    public static func snapshot() -> OpProfile {
        OpProfile(entries: state.entries(),
                  gemmFlops: gemmFlopCount.load(ordering: .relaxed),
                  gemmCalls: gemmCallCount.load(ordering: .relaxed))
    }

    // MARK: Hooks (TensorCore only)

    @inline(__always)
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// An op recorded its output (called from `Tensor.record`).
    static func forwardOpFinished(_ op: String) { state.forwardOpFinished(op, now: now()) }

    /// `backward()` starts; ops run by VJPs are not counted as forward ops until `backwardEnded`.
    static func backwardBegan() -> UInt64 {
        let t = now()
        state.setInBackward(true, now: t)
        return t
    }

    /// One VJP of `op` ran from `started` to now.
    static func vjpFinished(_ op: String, started: UInt64) { state.add(op, .backward, nanoseconds: now() &- started) }

    /// `backward()` that began at `started` ends: the time outside VJPs goes to `(backward other)`.
    static func backwardEnded(started: UInt64) {
        let t = now()
        state.finishBackward(totalNanoseconds: t &- started, now: t)
    }

    /// One BLAS product of `2·m·n·k` FLOPs ran (called from any thread).
    @inline(__always)
    static func countGemm(m: Int, n: Int, k: Int) {
        gemmFlopCount.wrappingAdd(2 * m * n * k, ordering: .relaxed)
        gemmCallCount.wrappingAdd(1, ordering: .relaxed)
    }
}

/// A snapshot of `OpProfiler`'s counts.
public struct OpProfile: Sendable {
    /// Which pass a time belongs to.
    public enum Phase: String, Sendable { case forward, backward }

    /// Calls and total wall time of one op in one phase.
    public struct Entry: Sendable {
        public let op: String
        public let phase: Phase
        public let calls: Int
        public let seconds: Double
    }

    /// Every (op, phase) seen, by decreasing total time.
    public let entries: [Entry]
    /// FLOPs (2·m·n·k) of all BLAS products run while enabled.
    public let gemmFlops: Int
    /// Number of BLAS calls (after splitting into per-thread blocks).
    public let gemmCalls: Int

    /// Total time over all entries.
    public var totalSeconds: Double { entries.reduce(0) { $0 + $1.seconds } }

    /// Total time of one phase.
    public func seconds(_ phase: Phase) -> Double {
        entries.filter { $0.phase == phase }.reduce(0) { $0 + $1.seconds }
    }

    /// A text table sorted by time, with times divided by `steps` (per step) and each
    /// entry's share of the total; entries below `minShare` are folded into one line.
    public func table(steps: Int = 1, minShare: Double = 0.002) -> String {
        let per = 1.0 / Double(max(steps, 1))
        let total = max(totalSeconds, 1e-12)
        var lines = [pad("op", 28) + pad("phase", 10) + lpad("calls/step", 11) + lpad("ms/step", 10)
                     + lpad("us/call", 10) + lpad("share", 8)]
        var restSeconds = 0.0, restCalls = 0
        for e in entries {
            if e.seconds / total < minShare { restSeconds += e.seconds; restCalls += e.calls; continue }
            let usPerCall = e.calls > 0 ? e.seconds / Double(e.calls) * 1e6 : 0
            lines.append(pad(e.op, 28) + pad(e.phase.rawValue, 10)
                         + lpad(fmt(Double(e.calls) * per, 1), 11) + lpad(fmt(e.seconds * per * 1e3, 2), 10)
                         + lpad(fmt(usPerCall, 1), 10) + lpad(fmt(e.seconds / total * 100, 1) + "%", 8))
        }
        if restCalls > 0 || restSeconds > 0 {
            lines.append(pad("(other ops)", 38) + lpad(fmt(Double(restCalls) * per, 1), 11)
                         + lpad(fmt(restSeconds * per * 1e3, 2), 10) + lpad("", 10)
                         + lpad(fmt(restSeconds / total * 100, 1) + "%", 8))
        }
        lines.append(pad("total", 38) + lpad("", 11) + lpad(fmt(total * per * 1e3, 2), 10))
        lines.append("forward \(fmt(seconds(.forward) * per * 1e3, 2)) ms/step, backward \(fmt(seconds(.backward) * per * 1e3, 2)) ms/step, "
                     + "BLAS \(fmt(Double(gemmFlops) * per * 1e-9, 2)) GFLOP/step in \(fmt(Double(gemmCalls) * per, 0)) calls")
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    private func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
    private func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}

/// The profiler's mutable counts, behind a lock (ops may record from any thread).
private final class ProfilerState: @unchecked Sendable {
    private struct Key: Hashable {
        let op: String
        let phase: OpProfile.Phase
    }

    private let lock = NSLock()
    private var totals: [Key: (calls: Int, nanoseconds: UInt64)] = [:]
    private var last: UInt64 = 0
    private var inBackward = false
    private var vjpNanoseconds: UInt64 = 0

    func reset(now: UInt64) {
        lock.withLock {
            totals = [:]
            last = now
            inBackward = false
            vjpNanoseconds = 0
        }
    }

    func mark(now: UInt64) { lock.withLock { last = now } }

    func forwardOpFinished(_ op: String, now: UInt64) {
        lock.withLock {
            guard !inBackward else { return }  // ops inside VJPs belong to the VJP's time
            addLocked(Key(op: op, phase: .forward), now &- last)
            last = now
        }
    }

    func setInBackward(_ value: Bool, now: UInt64) {
        lock.withLock {
            inBackward = value
            vjpNanoseconds = 0
            last = now
        }
    }

    func add(_ op: String, _ phase: OpProfile.Phase, nanoseconds: UInt64) {
        lock.withLock {
            addLocked(Key(op: op, phase: phase), nanoseconds)
            if phase == .backward { vjpNanoseconds &+= nanoseconds }
        }
    }

    func finishBackward(totalNanoseconds: UInt64, now: UInt64) {
        lock.withLock {
            let other = totalNanoseconds > vjpNanoseconds ? totalNanoseconds - vjpNanoseconds : 0
            addLocked(Key(op: "(backward other)", phase: .backward), other)
            inBackward = false
            last = now
        }
    }

    private func addLocked(_ key: Key, _ ns: UInt64) {
        let old = totals[key] ?? (0, 0)
        totals[key] = (old.calls + 1, old.nanoseconds &+ ns)
    }

    func entries() -> [OpProfile.Entry] {
        lock.withLock {
            totals.map { OpProfile.Entry(op: $0.key.op, phase: $0.key.phase, calls: $0.value.calls,
                                         seconds: Double($0.value.nanoseconds) * 1e-9) }
        }.sorted { $0.seconds != $1.seconds ? $0.seconds > $1.seconds : $0.op < $1.op }
    }
}
