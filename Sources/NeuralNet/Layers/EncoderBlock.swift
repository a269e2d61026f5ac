import TensorCore

/// A pre-norm transformer encoder block (T5):
/// ```
/// x = x + dropout(selfAttention(selfAttentionNorm(x)))
/// x = x + dropout(feedForward(feedForwardNorm(x)))
/// ```
/// Shapes: `x: [B, L, D]`, `keyBias: [B, L]`, `positionBias: [H, L, L]` → `[B, L, D]`.
/// Parameter names: `selfAttentionNorm.*`, `selfAttention.*`, `feedForwardNorm.*`, `feedForward.*`.
public final class EncoderBlock: Module, Sendable {
    public let selfAttentionNorm: RMSNorm
    public let selfAttention: MultiHeadAttention
    public let feedForwardNorm: RMSNorm
    public let feedForward: FeedForward
    public let dropout: Dropout

    public init(_ config: TransformerConfiguration, dtype: DType = .float32, rng: inout SeededRNG) {
        selfAttentionNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        selfAttention = MultiHeadAttention(modelDim: config.modelDim, heads: config.heads, headDim: config.headDim,
                                           scale: config.attentionScale, dtype: dtype, rng: &rng)
        feedForwardNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        feedForward = FeedForward(modelDim: config.modelDim, hiddenDim: config.feedForwardDim,
                                  activation: config.activation, dropout: config.dropout, dtype: dtype, rng: &rng)
        dropout = Dropout(rate: config.dropout)
    }

    /// `rng`: the dropout generator while training, nil at inference.
    public func callAsFunction(_ x: Tensor, keyBias: Tensor? = nil, positionBias: Tensor? = nil,
                               rng: inout SeededRNG?) -> Tensor {
        let h = x + dropout(selfAttention(selfAttentionNorm(x), keyBias: keyBias, positionBias: positionBias), rng: &rng)
        return h + dropout(feedForward(feedForwardNorm(h), rng: &rng), rng: &rng)
    }

    public var namedParameters: [NamedParameter] {
        selfAttentionNorm.namedParameters(prefix: "selfAttentionNorm")
            + selfAttention.namedParameters(prefix: "selfAttention")
            + feedForwardNorm.namedParameters(prefix: "feedForwardNorm")
            + feedForward.namedParameters(prefix: "feedForward")
    }
}
