/// Sizes and switches of a T5-style encoder or decoder stack.
///
/// ```swift
/// let config = TransformerConfiguration(modelDim: 256, heads: 4, feedForwardDim: 1024, layers: 4)
/// let encoder = EncoderStack(config, rng: &rng)
/// ```
public struct TransformerConfiguration: Sendable, Codable, Equatable {
    /// Model width `D`.
    public var modelDim: Int
    public var heads: Int
    /// Per-head width `Dh` (T5's `d_kv`); `heads · headDim` need not equal `modelDim`.
    public var headDim: Int
    /// Hidden width `F` of the feed-forward network.
    public var feedForwardDim: Int
    public var layers: Int
    public var activation: FeedForward.Activation
    /// Buckets of the relative position bias (T5: 32).
    public var relativeBuckets: Int
    /// Offsets beyond this share the last bucket (T5: 128).
    public var relativeMaxDistance: Int
    /// Dropout rate of residual branches, feed-forward hidden units and the stack output.
    public var dropout: Double
    public var normEpsilon: Double
    /// Multiplier of attention scores (T5: 1).
    public var attentionScale: Double

    public init(modelDim: Int, heads: Int, headDim: Int? = nil, feedForwardDim: Int, layers: Int,
                activation: FeedForward.Activation = .gatedGELU, relativeBuckets: Int = 32,
                relativeMaxDistance: Int = 128, dropout: Double = 0, normEpsilon: Double = 1e-6,
                attentionScale: Double = 1) {
        precondition(headDim != nil || modelDim % heads == 0,
                     "TransformerConfiguration: model width \(modelDim) is not divisible by \(heads) heads; pass headDim")
        self.modelDim = modelDim
        self.heads = heads
        self.headDim = headDim ?? modelDim / heads
        self.feedForwardDim = feedForwardDim
        self.layers = layers
        self.activation = activation
        self.relativeBuckets = relativeBuckets
        self.relativeMaxDistance = relativeMaxDistance
        self.dropout = dropout
        self.normEpsilon = normEpsilon
        self.attentionScale = attentionScale
    }
}
