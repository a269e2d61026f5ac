import NeuralNet
import TensorCore

/// Builds the FiD decoder memory from page summaries: reshapes `[B·P, K, d]` to
/// `[B, P·K, d]`, adds a learned page-index embedding (page p to each of its K slots) and,
/// with slot embeddings (the `pointer` summarizer, whose slot k holds the k-th answer token),
/// a learned slot-index embedding; masks the slots of padded pages.
///
/// Parameter names: `pageEmbedding.weight` (`[maxPages, d]`), `slotEmbedding.weight` (`[K, d]`).
///
/// ```swift
/// let m = builder(summaries: encoding.summaries, batchSize: B, pageCount: P, pageValid: valid)
/// m.memory      // [B, P·K, d]
/// ```
public final class PageMemoryBuilder: Module, Sendable {
    public let pageEmbedding: Embedding
    public let slotEmbedding: Embedding?

    /// Page (and slot) embeddings ~ Normal(0, 0.5²): visible next to the unit-RMS summaries
    /// without swamping them. `slots`: K for slot embeddings, nil for none.
    public init(maxPages: Int, dimension: Int, slots: Int? = nil, dtype: DType = .float32, rng: inout SeededRNG) {
        pageEmbedding = Embedding(count: maxPages, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng)
        slotEmbedding = slots.map { Embedding(count: $0, dimension: dimension, std: 0.5, dtype: dtype, rng: &rng) }
    }

    public var maxPages: Int { pageEmbedding.count }

    /// `summaries: [B·P, K, d]`, `pageValid: [B, P]` → memory `[B, P·K, d]` and key bias `[B, P·K]`.
    public func callAsFunction(summaries: Tensor, batchSize: Int, pageCount: Int, pageValid: [Bool]) -> FiDMemory {
        precondition(summaries.rank == 3 && summaries.shape[0] == batchSize * pageCount,
                     "PageMemoryBuilder: summaries \(summaries.shape) are not [B·P, K, d] with B = \(batchSize), P = \(pageCount)")
        precondition(pageCount <= maxPages, "PageMemoryBuilder: \(pageCount) pages exceed maxPages = \(maxPages)")
        precondition(pageValid.count == batchSize * pageCount,
                     "PageMemoryBuilder: \(pageValid.count) page flags for [B, P] = [\(batchSize), \(pageCount)]")
        let k = summaries.shape[1], d = summaries.shape[2], slots = pageCount * k
        let pageOfSlot = (0..<slots).map { Int32($0 / k) }
        var memory = summaries.reshaped([batchSize, slots, d]) + pageEmbedding(pageOfSlot, shape: [slots])
        if let slotEmbedding {
            precondition(k == slotEmbedding.count, "PageMemoryBuilder: \(k) summaries per page, \(slotEmbedding.count) slot embeddings")
            memory = memory + slotEmbedding((0..<slots).map { Int32($0 % k) }, shape: [slots])
        }
        var slotValid = [Bool](repeating: false, count: batchSize * slots)
        for b in 0..<batchSize {
            for s in 0..<slots { slotValid[b * slots + s] = pageValid[b * pageCount + s / k] }
        }
        let keyBias = AttentionMask.keyBias(valid: slotValid, batch: batchSize, length: slots, dtype: summaries.dtype)
        return FiDMemory(memory: memory, keyBias: keyBias, pageCount: pageCount, summaryTokens: k)
    }

    public var namedParameters: [NamedParameter] {
        pageEmbedding.namedParameters(prefix: "pageEmbedding") + (slotEmbedding?.namedParameters(prefix: "slotEmbedding") ?? [])
    }
}
