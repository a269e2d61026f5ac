import TensorCore

/// The decoder memory M(q) of a batch: the K summaries of every page of a question side by
/// side, each tagged with its page index, and the key mask of padded pages.
///
/// The Fusion-in-Decoder reshape contract: encoder rows `[B·P, K, d]` → memory `[B, P·K, d]`;
/// slot `p·K + k` of question b is summary k of page p.
///
/// Shapes: `memory: [B, P·K, d]`, `keyBias: [B, P·K]` (0 real page, −1e9 padded page),
/// `slotTokens: [B, P·K]` (the source token each slot reads, −1 = none; the copy path's data).
public struct FiDMemory: Sendable {
    /// `[B, P·K, d]`.
    public let memory: Tensor
    /// `[B, P·K]`.
    public let keyBias: Tensor
    /// P.
    public let pageCount: Int
    /// K.
    public let summaryTokens: Int
    /// `[B, P·K]` source token of every slot, −1 where a slot reads no single token.
    public let slotTokens: [Int32]

    /// `slotTokens` nil: no slot has a source token.
    public init(memory: Tensor, keyBias: Tensor, pageCount: Int, summaryTokens: Int, slotTokens: [Int32]? = nil) {
        precondition(memory.rank == 3 && memory.shape[1] == pageCount * summaryTokens,
                     "FiDMemory: memory \(memory.shape) is not [B, P·K, d] with P = \(pageCount), K = \(summaryTokens)")
        precondition(keyBias.shape == [memory.shape[0], memory.shape[1]],
                     "FiDMemory: key bias \(keyBias.shape) does not match memory \(memory.shape)")
        self.memory = memory
        self.keyBias = keyBias
        self.pageCount = pageCount
        self.summaryTokens = summaryTokens
        let slots = memory.shape[0] * memory.shape[1]
        precondition(slotTokens == nil || slotTokens!.count == slots,
                     "FiDMemory: \(slotTokens!.count) slot tokens for [B, P·K] = \(memory.shape.prefix(2))")
        self.slotTokens = slotTokens ?? [Int32](repeating: -1, count: slots)
    }

    /// B.
    public var batchSize: Int { memory.shape[0] }

    /// The memory with every slot masked but those of page `pages[b]` of question b (hard
    /// routing of the decoder to one page).
    public func keepingOnly(pages: [Int]) -> FiDMemory {
        let b = batchSize, m = memory.shape[1]
        precondition(pages.count == b, "FiDMemory.keepingOnly: \(pages.count) pages for \(b) questions")
        var extra = [Float](repeating: -1e9, count: b * m)
        for q in 0..<b {
            for k in 0..<summaryTokens { extra[q * m + pages[q] * summaryTokens + k] = 0 }
        }
        let bias = keyBias + Tensor(extra, shape: [b, m]).converted(to: keyBias.dtype)
        return FiDMemory(memory: memory, keyBias: bias, pageCount: pageCount, summaryTokens: summaryTokens, slotTokens: slotTokens)
    }

    /// The memory of a re-ordered batch: row `i` is row `indices[i]` of this one (beam
    /// search expands each question to its beams).
    public func selectingBatch(_ indices: [Int32]) -> FiDMemory {
        FiDMemory(memory: selectBatchRows(memory, indices), keyBias: selectBatchRows(keyBias, indices),
                  pageCount: pageCount, summaryTokens: summaryTokens,
                  slotTokens: selectBatchRows(slotTokens, width: memory.shape[1], indices))
    }
}

/// Rows `indices` of a row-major `[B, width]` array.
func selectBatchRows(_ values: [Int32], width: Int, _ indices: [Int32]) -> [Int32] {
    var out: [Int32] = []
    out.reserveCapacity(indices.count * width)
    for i in indices { out += values[(Int(i) * width)..<((Int(i) + 1) * width)] }
    return out
}

/// Rows `indices` of `t` along axis 0 (`[B, ...]` → `[indices.count, ...]`).
func selectBatchRows(_ t: Tensor, _ indices: [Int32]) -> Tensor {
    let inner = Array(t.shape.dropFirst())
    return t.reshaped([t.shape[0], inner.reduce(1, *)])
        .gatherRows(indices, shape: [indices.count])
        .reshaped([indices.count] + inner)
}
