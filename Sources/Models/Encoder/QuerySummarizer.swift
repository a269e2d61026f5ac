import NeuralNet
import TensorCore

/// The `queries` summarizer: K learned query vectors read each page's encoder outputs
/// through one pre-norm cross-attention block (Qwen-VL resampler / Q-Former shape):
/// ```
/// q = queries                                    (the same K vectors for every row)
/// a = q + crossAttention(queryNorm(q), states)   masked by the row's key bias
/// s = finalNorm(a + feedForward(feedForwardNorm(a)))
/// ```
/// Shapes: `states: [R, L, d]`, `keyBias: [R, L]` → summaries `[R, K, d]`; `queries: [K, d]`.
/// Parameter names: `queries`, `queryNorm.weight`, `crossAttention.*`, `feedForwardNorm.weight`,
/// `feedForward.*`, `finalNorm.weight`.
public final class QuerySummarizer: Module, Sendable {
    /// `[K, d]`.
    public let queries: Tensor
    public let queryNorm: RMSNorm
    public let crossAttention: MultiHeadAttention
    public let feedForwardNorm: RMSNorm
    public let feedForward: FeedForward
    public let finalNorm: RMSNorm

    public init(_ config: TransformerConfiguration, summaryTokens: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        queries = ParameterInitialization.normal([summaryTokens, config.modelDim], std: 1, dtype: dtype, rng: &rng)
        queryNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        crossAttention = MultiHeadAttention(modelDim: config.modelDim, heads: config.heads, headDim: config.headDim,
                                            scale: config.attentionScale, dtype: dtype, rng: &rng)
        feedForwardNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        feedForward = FeedForward(modelDim: config.modelDim, hiddenDim: config.feedForwardDim,
                                  activation: config.activation, dropout: config.dropout, dtype: dtype, rng: &rng)
        finalNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
    }

    public var summaryTokens: Int { queries.shape[0] }

    /// `rng`: the dropout generator while training, nil at inference.
    public func callAsFunction(_ states: Tensor, keyBias: Tensor?, rng: inout SeededRNG?) -> Tensor {
        let rows = states.shape[0], k = summaryTokens, d = queries.shape[1]
        let q = queries.reshaped([1, k, d]).broadcast(to: [rows, k, d])
        let a = q + crossAttention(queryNorm(q), context: states, keyBias: keyBias)
        return finalNorm(a + feedForward(feedForwardNorm(a), rng: &rng))
    }

    public var namedParameters: [NamedParameter] {
        [("queries", queries)] + queryNorm.namedParameters(prefix: "queryNorm")
            + crossAttention.namedParameters(prefix: "crossAttention")
            + feedForwardNorm.namedParameters(prefix: "feedForwardNorm")
            + feedForward.namedParameters(prefix: "feedForward") + finalNorm.namedParameters(prefix: "finalNorm")
    }
}
