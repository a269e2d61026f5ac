import Dispatch
import Foundation
import Models

/// Builds the next step's batch on a background thread while the current step computes, so
/// that data generation, tokenisation and batching overlap with the model's work.
///
/// Batches are a pure function of the step (`TrainingBatches`), so prefetching cannot change
/// what a run trains on: `batch(step:)` returns exactly `batches.batch(step:)`.
///
/// ```swift
/// let prefetcher = BatchPrefetcher(batches)
/// let batch = prefetcher.batch(step: 0)   // built now; step 1's batch starts building
/// ```
public final class BatchPrefetcher: @unchecked Sendable {
    public let batches: TrainingBatches
    private let queue = DispatchQueue(label: "mpvqa.batch-prefetch", qos: .userInitiated)
    /// The batch being built in the background and the step it belongs to. Touched only by
    /// the caller's thread; the slot itself is written by the queue before `done` signals.
    private var pending: (step: Int, done: DispatchSemaphore, slot: Slot)?
    /// Seconds the caller spent waiting for (or building) batches since the last `takeWaitSeconds()`.
    private var waited = 0.0

    private final class Slot: @unchecked Sendable { var batch: Models.QuestionBatch? }

    public init(_ batches: TrainingBatches) { self.batches = batches }

    /// The batch of `step`; starts building the batch of `step + 1` before returning.
    public func batch(step: Int) -> Models.QuestionBatch {
        let started = Date()
        let batch: Models.QuestionBatch
        if let pending, pending.step == step {
            pending.done.wait()
            batch = pending.slot.batch!
        } else {
            batch = batches.batch(step: step)  // first step, or a jump (resume)
        }
        waited += Date().timeIntervalSince(started)
        let next = (step: step + 1, done: DispatchSemaphore(value: 0), slot: Slot())
        let batches = self.batches
        queue.async {
            next.slot.batch = batches.batch(step: next.step)
            next.done.signal()
        }
        pending = next
        return batch
    }

    /// Seconds spent waiting for batches since the previous call (the data-loading stall).
    public func takeWaitSeconds() -> Double {
        defer { waited = 0 }
        return waited
    }
}
