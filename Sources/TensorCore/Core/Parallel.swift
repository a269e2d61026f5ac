import Foundation
import Synchronization

/// MPVQA's own threading: work is split over pages, heads or row blocks, and every
/// BLAS call inside runs on one thread (see `BLASRuntime`). Two 1-thread sgemms on
/// different pages beat one 2-thread sgemm on our small matrices, and keeping BLAS at
/// one thread means the two levels never oversubscribe the cores.
public enum Parallel {
    nonisolated(unsafe) private static var _threads = ProcessInfo.processInfo.activeProcessorCount

    /// Worker threads used by kernels (default: all cores).
    public static var threads: Int {
        get { _threads }
        set { _threads = max(1, newValue) }
    }

    /// The fewest elements a simple element loop (add, norm, softmax row, optimiser update)
    /// needs before it is split over threads. Handing work to another thread costs tens of
    /// microseconds on a virtual machine, as much as such a loop over tens of thousands of
    /// elements; below this a split is slower than one thread.
    public static let elementGrain = 1 << 16

    /// The fewest multiply-adds a matrix product or an attention call needs before its
    /// independent parts (row blocks, batch items, heads) are split over threads.
    public static let productGrain = 1 << 20

    /// Set on a thread while it runs a `forEach` body.
    private static let insideRegion = ThreadLocalFlag()

    /// Runs `body(i)` for `i` in `0..<n` on at most `threads` threads at once, concurrently
    /// when `n > 1` and more than one thread is allowed.
    /// Inside a parallel region (a `forEach` body, on any thread) further regions run on
    /// the calling thread: the outer split already keeps every core busy.
    @inline(__always)
    public static func forEach(_ n: Int, _ body: (Int) -> Void) {
        let workers = min(n, _threads)
        if workers <= 1 || insideRegion.isSet {
            for i in 0..<n { body(i) }
            return
        }
        // Kernels capture raw pointers into disjoint output ranges; the closure is only
        // called during this function, so passing it across threads is safe.
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedSendable({ (i: Int) in
                let outer = insideRegion.set(true)
                escapable(i)
                insideRegion.set(outer)
            })
            if workers == n {
                DispatchQueue.concurrentPerform(iterations: n) { work.value($0) }
            } else {
                // More items than threads: `workers` loops take the next index in turn, so
                // no more than `threads` run at once and uneven items still balance.
                let next = IndexCounter()
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    while true {
                        let i = next.take()
                        if i >= n { break }
                        work.value(i)
                    }
                }
            }
        }
    }

    /// Splits `0..<total` into at most `threads` contiguous ranges of at least `minChunk`
    /// elements (rounded to `align`) and runs `body` on each, concurrently.
    public static func forRanges(_ total: Int, minChunk: Int, align: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(_threads, total / max(minChunk, 1)))
        if parts == 1 { body(0..<total); return }
        var step = (total + parts - 1) / parts
        step = (step + align - 1) / align * align
        let n = (total + step - 1) / step
        forEach(n) { i in body(i * step..<min(total, (i + 1) * step)) }
    }
}

/// Carries a value the compiler cannot prove thread-safe across a parallel region whose
/// threads touch disjoint memory.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// A shared "next index" for work distribution.
final class IndexCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// The next unclaimed index (0, 1, 2, … across all callers).
    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}
