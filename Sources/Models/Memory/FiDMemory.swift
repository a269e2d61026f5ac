import TensorCore

/// The decoder memory M(q) of a batch: the K summaries of every page of a question side by
/// side, each tagged with its page index, and the key mask of padded pages.
///
/// The Fusion-in-Decoder reshape contract: encoder rows `[B·P, K, d]` → memory `[B, P·K, d]`;
/// slot `p·K + k` of question b is summary k of page p.
///
/// Shapes: `memory: [B, P·K, d]`, `keyBias: [B, P·K]` (0 real page, −1e9 padded page).
public struct FiDMemory: Sendable {
    /// `[B, P·K, d]`.
    public let memory: Tensor
    /// `[B, P·K]`.
    public let keyBias: Tensor
    /// P.
    public let pageCount: Int
    /// K.
    public let summaryTokens: Int

    public init(memory: Tensor, keyBias: Tensor, pageCount: Int, summaryTokens: Int) {
        precondition(memory.rank == 3 && memory.shape[1] == pageCount * summaryTokens,
                     "FiDMemory: memory \(memory.shape) is not [B, P·K, d] with P = \(pageCount), K = \(summaryTokens)")
        precondition(keyBias.shape == [memory.shape[0], memory.shape[1]],
                     "FiDMemory: key bias \(keyBias.shape) does not match memory \(memory.shape)")
        self.memory = memory
        self.keyBias = keyBias
        self.pageCount = pageCount
        self.summaryTokens = summaryTokens
    }

    /// B.
    public var batchSize: Int { memory.shape[0] }

    /// The memory of a re-ordered batch: row `i` is row `indices[i]` of this one (beam
    /// search expands each question to its beams).
    public func selectingBatch(_ indices: [Int32]) -> FiDMemory {
        FiDMemory(memory: selectBatchRows(memory, indices), keyBias: selectBatchRows(keyBias, indices),
                  pageCount: pageCount, summaryTokens: summaryTokens)
    }
}

/// Rows `indices` of `t` along axis 0 (`[B, ...]` → `[indices.count, ...]`).
func selectBatchRows(_ t: Tensor, _ indices: [Int32]) -> Tensor {
    let inner = Array(t.shape.dropFirst())
    return t.reshaped([t.shape[0], inner.reduce(1, *)])
        .gatherRows(indices, shape: [indices.count])
        .reshaped([indices.count] + inner)
}
