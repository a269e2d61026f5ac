import TensorCore

/// Seeded shuffling of question indices into batches, epoch by epoch. Every epoch's order is a
/// pure function of (seed, epoch), so a resumed run continues with exactly the batches an
/// uninterrupted one would have seen.
///
/// ```swift
/// let sampler = QuestionSampler(count: questions.count, batchSize: 8, seed: 1)
/// for step in 0..<steps { let indices = sampler.batch(step: step) ... }
/// ```
public struct QuestionSampler: Sendable, Equatable {
    public let count: Int
    public let batchSize: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// Drop an epoch's last batch when it is smaller than `batchSize` (training); keep it (evaluation).
    public let dropLast: Bool

    public init(count: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true, dropLast: Bool = true) {
        precondition(count > 0 && batchSize > 0, "QuestionSampler: count \(count) and batchSize \(batchSize) must be positive")
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast && count >= batchSize
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// The order of the question indices in `epoch` (a permutation of `0..<count`).
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<count)
        guard shuffle else { return indices }
        // One generator per epoch, derived from the seed: epochs are independent and reproducible.
        var rng = SeededRNG(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1))
        for i in stride(from: count - 1, to: 0, by: -1) {
            indices.swapAt(i, rng.nextInt(below: i + 1))
        }
        return indices
    }

    /// The batches of `epoch`, in order.
    public func batches(epoch: Int) -> [[Int]] {
        let indices = order(epoch: epoch)
        return (0..<batchesPerEpoch).map { k in Array(indices[(k * batchSize)..<min((k + 1) * batchSize, count)]) }
    }

    /// The batch of global step `step` (epoch `step / batchesPerEpoch`).
    public func batch(step: Int) -> [Int] {
        let epoch = step / batchesPerEpoch, k = step % batchesPerEpoch
        let indices = order(epoch: epoch)
        return Array(indices[(k * batchSize)..<min((k + 1) * batchSize, count)])
    }
}
