import Dispatch
import DocData
import Foundation
import Models

/// Builds the next step's batch on a background thread while the current step computes, so
/// that data generation, tokenisation and batching overlap with the model's work. In cached
/// training it also reads the next step's summaries from the feature cache (`features`).
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
    /// Reads a step's encoded questions (cached training), nil end to end.
    private let load: (@Sendable ([BatchItem]) throws -> EncodedQuestions)?
    /// The features of the step last returned by `batch(step:)`.
    private var current: (step: Int, features: Result<EncodedQuestions, Error>?)?

    private final class Slot: @unchecked Sendable {
        var batch: Models.QuestionBatch?
        var features: Result<EncodedQuestions, Error>?
    }

    /// `features`: reads the encoded questions of a step's items (cached training).
    public init(_ batches: TrainingBatches, features: (@Sendable ([BatchItem]) throws -> EncodedQuestions)? = nil) {
        self.batches = batches
        self.load = features
    }

    /// The batch of `step`; starts building the batch of `step + 1` before returning.
    public func batch(step: Int) -> Models.QuestionBatch {
        let started = Date()
        let batch: Models.QuestionBatch
        if let pending, pending.step == step {
            pending.done.wait()
            batch = pending.slot.batch!
            current = (step, pending.slot.features)
        } else {
            batch = batches.batch(step: step)  // first step, or a jump (resume)
            current = (step, load.map { load in Result { try load(self.batches.items(step: step)) } })
        }
        waited += Date().timeIntervalSince(started)
        let next = (step: step + 1, done: DispatchSemaphore(value: 0), slot: Slot())
        let batches = self.batches, load = self.load
        queue.async {
            next.slot.batch = batches.batch(step: next.step)
            next.slot.features = load.map { load in Result { try load(batches.items(step: next.step)) } }
            next.done.signal()
        }
        pending = next
        return batch
    }

    /// The encoded questions of `step`, the step of the last `batch(step:)` call (cached
    /// training); rethrows the cache's read error.
    public func features(step: Int) throws -> EncodedQuestions {
        guard let current, current.step == step, let features = current.features else {
            preconditionFailure("BatchPrefetcher.features(step: \(step)) without a features loader or before batch(step: \(step))")
        }
        return try features.get()
    }

    /// Seconds spent waiting for batches since the previous call (the data-loading stall).
    public func takeWaitSeconds() -> Double {
        defer { waited = 0 }
        return waited
    }
}
