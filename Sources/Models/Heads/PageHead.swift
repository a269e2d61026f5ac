import NeuralNet
import TensorCore

/// Scores every page of a question from its own K summaries, so it works for any page count.
///
/// ```
/// v_p = pool(S(q, p))                     max | mean | attention (learned query) | first
/// u_p = gelu(hidden(norm(v_p)))
/// score_p = scoreOutput(u_p)              −1e9 on padded pages (softmax over pages → answer page)
/// contains_p = containsOutput(u_p)        "this page contains the answer" logit (auxiliary loss)
/// ```
/// Shapes: `summaries: [B·P, K, d]`, `pageValid: [B, P]` → `scores, containsLogits: [B, P]`.
/// Parameter names: `poolingQuery` (attention pooling only), `norm.weight`, `hidden.weight`,
/// `hidden.bias`, `scoreOutput.*`, `containsOutput.*`.
public final class PageHead: Module, Sendable {
    /// The head's per-page outputs.
    public struct Output: Sendable {
        /// `[B, P]` page scores, exactly −1e9 on padded pages.
        public let scores: Tensor
        /// `[B, P]` "contains the answer" logits (0 on padded pages).
        public let containsLogits: Tensor
    }

    public let pooling: HiVT5Configuration.Pooling
    /// `[d]`, the learned query of attention pooling.
    public let poolingQuery: Tensor?
    public let norm: RMSNorm
    public let hidden: Linear
    public let scoreOutput: Linear
    public let containsOutput: Linear

    public init(modelDim: Int, hiddenDim: Int, pooling: HiVT5Configuration.Pooling, dtype: DType = .float32,
                rng: inout SeededRNG) {
        self.pooling = pooling
        poolingQuery = pooling == .attention
            ? ParameterInitialization.normal([modelDim], std: 1, dtype: dtype, rng: &rng) : nil
        norm = RMSNorm(modelDim, dtype: dtype)
        hidden = Linear(modelDim, hiddenDim, bias: true, dtype: dtype, rng: &rng)
        scoreOutput = Linear(hiddenDim, 1, bias: true, dtype: dtype, rng: &rng)
        containsOutput = Linear(hiddenDim, 1, bias: true, dtype: dtype, rng: &rng)
    }

    /// `summaries: [R, K, d]` → pooled `[R, d]`.
    public func pool(_ summaries: Tensor) -> Tensor {
        let rows = summaries.shape[0], k = summaries.shape[1], d = summaries.shape[2]
        switch pooling {
        case .max: return summaries.max(axes: [1])
        case .mean: return summaries.mean(axes: [1])
        case .first: return summaries.slice(axis: 1, 0..<1).reshaped([rows, d])
        case .attention:
            // α = softmax_k(S_k · q / √d); v = Σ_k α_k S_k.
            let scores = summaries.matmul(poolingQuery!.reshaped([d, 1])).reshaped([rows, 1, k])
            let weights = scores.scaled(by: 1 / Double(d).squareRoot()).softmax()
            return weights.matmul(summaries).reshaped([rows, d])
        }
    }

    public func callAsFunction(summaries: Tensor, batchSize: Int, pageCount: Int, pageValid: [Bool]) -> Output {
        precondition(summaries.rank == 3 && summaries.shape[0] == batchSize * pageCount,
                     "PageHead: summaries \(summaries.shape) are not [B·P, K, d] with B = \(batchSize), P = \(pageCount)")
        precondition(pageValid.count == batchSize * pageCount,
                     "PageHead: \(pageValid.count) page flags for [B, P] = [\(batchSize), \(pageCount)]")
        // Only real pages go through the head (a batch is padded to its longest document, and
        // documents have 1–20 pages); padded pages read a zero row and get exactly −1e9.
        let k = summaries.shape[1], d = summaries.shape[2]
        let real = pageValid.indices.filter { pageValid[$0] }
        let allReal = real.count == pageValid.count
        let rows = allReal ? summaries
            : summaries.reshaped([batchSize * pageCount, k * d]).gatherRows(real.map { Int32($0) }, shape: [real.count])
                .reshaped([real.count, k, d])
        var rowOfPage = [Int32](repeating: -1, count: pageValid.count)
        for (j, page) in real.enumerated() { rowOfPage[page] = Int32(j) }
        func spread(_ perRealPage: Tensor) -> Tensor {
            (allReal ? perRealPage : perRealPage.gatherRows(rowOfPage, shape: [pageValid.count])).reshaped([batchSize, pageCount])
        }
        let u = hidden(norm(pool(rows))).gelu()
        let bias = AttentionMask.keyBias(valid: pageValid, batch: batchSize, length: pageCount, dtype: summaries.dtype)
        return Output(scores: spread(scoreOutput(u)) + bias, containsLogits: spread(containsOutput(u)))
    }

    public var namedParameters: [NamedParameter] {
        (poolingQuery.map { [("poolingQuery", $0)] } ?? []) + norm.namedParameters(prefix: "norm")
            + hidden.namedParameters(prefix: "hidden") + scoreOutput.namedParameters(prefix: "scoreOutput")
            + containsOutput.namedParameters(prefix: "containsOutput")
    }
}
