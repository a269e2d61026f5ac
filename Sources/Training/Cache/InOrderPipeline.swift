import Foundation
import TensorCore

/// Produces items `0..<count` on every worker thread and consumes them strictly in index
/// order, one at a time, without a barrier between groups of items.
///
/// Each worker takes the next unproduced index as soon as it is free, so items of uneven cost
/// keep every core busy to the end (a round of items per barrier leaves a core idle at each
/// round's tail). At most `window` items are produced ahead of the next one to consume, which
/// bounds the memory held. Consuming runs on whichever worker finds the next item ready, never
/// on two threads at once. The first error a consumer throws stops the taking of new items and
/// is rethrown; items already produced past it are dropped unconsumed.
///
/// `mpvqa cache` uses it to encode batches of questions on every core while appending them to
/// the file in split order (README "Cached training").
///
/// ```swift
/// try InOrderPipeline.run(count: batches.count, window: 8,
///                         produce: { i in encode(batches[i]) },
///                         consume: { i, rows in try writer.append(rows) })
/// ```
public enum InOrderPipeline {
    /// Runs `produce(i)` for every `i` in `0..<count` on up to `workers` threads and
    /// `consume(i, item)` in index order; rethrows the first error `consume` throws.
    public static func run<Item>(count: Int, window: Int, workers: Int = Parallel.threads,
                                 produce: @escaping (Int) -> Item,
                                 consume: @escaping (Int, Item) throws -> Void) throws {
        guard count > 0 else { return }
        let state = PipelineState<Item>(window: max(1, window))
        let work = UncheckedSendable((produce, consume))
        let threads = max(1, min(workers, count))
        // One long-lived loop per thread; the kernels inside run on their thread alone.
        Parallel.forEach(threads) { _ in
            while let index = state.take(count: count) {
                let item = work.value.0(index)
                state.deliver(index, item, consume: work.value.1)
            }
        }
        if let error = state.error { throw error }
    }
}

/// The shared queue of one `InOrderPipeline.run`; every field is read and written under `lock`.
private final class PipelineState<Item>: @unchecked Sendable {
    let lock = NSCondition()
    let window: Int
    var nextToTake = 0
    var nextToConsume = 0
    var ready: [Int: Item] = [:]
    var consuming = false
    var error: Error?

    init(window: Int) { self.window = window }

    /// The next index to produce, waiting while the window is full; nil when none is left
    /// or a consumer failed.
    func take(count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        while error == nil && nextToTake < count && nextToTake >= nextToConsume + window { lock.wait() }
        guard error == nil && nextToTake < count else { return nil }
        nextToTake += 1
        return nextToTake - 1
    }

    /// Hands over a produced item and, unless another thread is consuming, consumes every
    /// item that is next in order (outside the lock, so other threads keep taking work).
    func deliver(_ index: Int, _ item: Item, consume: (Int, Item) throws -> Void) {
        lock.lock()
        ready[index] = item
        guard !consuming else { lock.unlock(); return }
        consuming = true
        while error == nil, let next = ready.removeValue(forKey: nextToConsume) {
            let position = nextToConsume
            lock.unlock()
            var failure: Error?
            do { try consume(position, next) } catch { failure = error }
            lock.lock()
            if let failure { error = failure }
            nextToConsume += 1
            lock.broadcast()
        }
        consuming = false
        lock.unlock()
    }
}
