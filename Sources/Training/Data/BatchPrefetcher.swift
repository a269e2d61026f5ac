import Dispatch
import DocData
import Foundation
import Models

/// Builds the next step's batch while the current step computes, so that data generation,
/// tokenisation and batching overlap with the model's work. In cached training it also reads
/// the next step's summaries from the feature cache (`features`).
///
/// By default the batch is built on a background thread. With `inBackground: false` it is
/// left to `buildNext()`, which the caller runs inside its own parallel work: cached steps run
/// it on whichever core finishes its share of the step first (`HiVT5.shardedLossAndGradients`,
/// `alongside:`), where a background thread would take a core from one of the step's shards.
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
    private let inBackground: Bool
    /// The next step's batch and the step it belongs to. Touched only by the caller's thread
    /// (and by `buildNext()` inside the caller's parallel work); the slot is filled before
    /// `done` signals.
    private var pending: Job?
    /// `pending` while nobody has started building it (`inBackground: false`).
    private var unbuilt: Job?
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

    private struct Job: @unchecked Sendable {
        let step: Int
        let done = DispatchSemaphore(value: 0)
        let slot = Slot()
    }

    /// `features`: reads the encoded questions of a step's items (cached training).
    /// `inBackground`: build the next batch on a background thread (true) or in `buildNext()`.
    public init(_ batches: TrainingBatches, features: (@Sendable ([BatchItem]) throws -> EncodedQuestions)? = nil,
                inBackground: Bool = true) {
        self.batches = batches
        self.load = features
        self.inBackground = inBackground
    }

    /// The batch of `step`; starts building (or, with `inBackground: false`, sets up) the
    /// batch of `step + 1` before returning.
    public func batch(step: Int) -> Models.QuestionBatch {
        let started = Date()
        buildNext()  // left for buildNext() but not built yet: build it now
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
        let next = Job(step: step + 1)
        if inBackground {
            queue.async { self.build(next) }
        } else {
            unbuilt = next
        }
        pending = next
        return batch
    }

    /// Builds the next step's batch on the calling thread, if `batch(step:)` left it unbuilt
    /// (`inBackground: false`); otherwise does nothing. Not concurrently with `batch(step:)`.
    public func buildNext() {
        guard let job = unbuilt else { return }
        unbuilt = nil
        build(job)
    }

    private func build(_ job: Job) {
        job.slot.batch = batches.batch(step: job.step)
        job.slot.features = load.map { load in Result { try load(batches.items(step: job.step)) } }
        job.done.signal()
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
