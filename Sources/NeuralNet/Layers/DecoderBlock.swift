import TensorCore

/// A pre-norm transformer decoder block (T5):
/// ```
/// y = y + dropout(selfAttention(selfAttentionNorm(y)))              causal
/// y = y + dropout(crossAttention(crossAttentionNorm(y), memory))
/// y = y + dropout(feedForward(feedForwardNorm(y)))
/// ```
/// Shapes: `y: [B, L, D]`, `memory: [B, M, D]` (a tensor or another `ProjectableMemory`), `memoryKeyBias: [B, M]`,
/// `selfPositionBias: [H, L, L]` → `[B, L, D]`.
/// Parameter names: `selfAttentionNorm.*`, `selfAttention.*`, `crossAttentionNorm.*`,
/// `crossAttention.*`, `feedForwardNorm.*`, `feedForward.*`.
public final class DecoderBlock: Module, Sendable {
    /// Keys and values this block keeps between decoding steps.
    public struct Cache: Sendable {
        /// Self-attention keys and values of every decoded position.
        public var selfAttention: KeyValueCache
        /// Cross-attention keys and values of the memory (computed once).
        public var crossAttention: KeyValueCache

        /// Row `i` of the result is row `indices[i]` of this cache (beam search).
        public func selectingBatch(_ indices: [Int32]) -> Cache {
            Cache(selfAttention: selfAttention.selectingBatch(indices), crossAttention: crossAttention.selectingBatch(indices))
        }
    }

    public let selfAttentionNorm: RMSNorm
    public let selfAttention: MultiHeadAttention
    public let crossAttentionNorm: RMSNorm
    public let crossAttention: MultiHeadAttention
    public let feedForwardNorm: RMSNorm
    public let feedForward: FeedForward
    public let dropout: Dropout

    public init(_ config: TransformerConfiguration, dtype: DType = .float32, rng: inout SeededRNG) {
        func attention(_ rng: inout SeededRNG) -> MultiHeadAttention {
            MultiHeadAttention(modelDim: config.modelDim, heads: config.heads, headDim: config.headDim,
                               scale: config.attentionScale, dtype: dtype, rng: &rng)
        }
        selfAttentionNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        selfAttention = attention(&rng)
        crossAttentionNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        crossAttention = attention(&rng)
        feedForwardNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        feedForward = FeedForward(modelDim: config.modelDim, hiddenDim: config.feedForwardDim,
                                  activation: config.activation, dropout: config.dropout, dtype: dtype, rng: &rng)
        dropout = Dropout(rate: config.dropout)
    }

    /// The whole target sequence at once (training, teacher forcing); also returns the
    /// cross-attention weights `[B, H, L, M]` when asked.
    public func forward(_ y: Tensor, memory: some ProjectableMemory, memoryKeyBias: Tensor? = nil, selfKeyBias: Tensor? = nil,
                        selfPositionBias: Tensor? = nil, returnCrossAttentionWeights: Bool = false,
                        rng: inout SeededRNG?) -> AttentionOutput {
        var h = y + dropout(selfAttention(selfAttentionNorm(y), keyBias: selfKeyBias, causal: true,
                                          positionBias: selfPositionBias), rng: &rng)
        let cross = crossAttention.crossAttentionStep(crossAttentionNorm(h), cache: crossAttention.keysValues(for: memory),
                                                      keyBias: memoryKeyBias, returnWeights: returnCrossAttentionWeights)
        h = h + dropout(cross.output, rng: &rng)
        h = h + dropout(feedForward(feedForwardNorm(h), rng: &rng), rng: &rng)
        return AttentionOutput(output: h, weights: cross.weights)
    }

    /// `forward(...).output`.
    public func callAsFunction(_ y: Tensor, memory: some ProjectableMemory, memoryKeyBias: Tensor? = nil, selfKeyBias: Tensor? = nil,
                               selfPositionBias: Tensor? = nil, rng: inout SeededRNG?) -> Tensor {
        forward(y, memory: memory, memoryKeyBias: memoryKeyBias, selfKeyBias: selfKeyBias,
                selfPositionBias: selfPositionBias, rng: &rng).output
    }

    /// `forward` on packed target rows `y: [N, D]` (`sequences`: each question's answer
    /// positions, no padding): causal self-attention within each sequence, sequence b
    /// attends to item b of `memory`. The real positions get what `forward` gives them.
    public func packedForward(_ y: Tensor, sequences: PackedSequences, memory: Tensor, memoryKeyBias: Tensor? = nil,
                              selfPositionBias: Tensor? = nil, rng: inout SeededRNG?) -> Tensor {
        var h = y + dropout(selfAttention.packedSelfAttention(selfAttentionNorm(y), sequences: sequences,
                                                              positionBias: selfPositionBias), rng: &rng)
        let cross = crossAttention.packedCrossAttention(crossAttentionNorm(h), sequences: sequences, memory: memory,
                                                        keyBias: memoryKeyBias)
        h = h + dropout(cross, rng: &rng)
        return h + dropout(feedForward(feedForwardNorm(h), rng: &rng), rng: &rng)
    }

    /// An empty self-attention cache and the projected memory.
    public func makeCache(memory: some ProjectableMemory) -> Cache {
        Cache(selfAttention: KeyValueCache(), crossAttention: crossAttention.keysValues(for: memory))
    }

    /// One decoding step for new positions `y: [B, l, D]` (inference: no dropout);
    /// `selfPositionBias: [H, l, cached + l]`. Returns the block output and, when asked,
    /// the cross-attention weights `[B, H, l, M]`.
    public func step(_ y: Tensor, cache: inout Cache, memoryKeyBias: Tensor? = nil, selfKeyBias: Tensor? = nil,
                     selfPositionBias: Tensor? = nil, returnCrossAttentionWeights: Bool = false) -> AttentionOutput {
        var h = y + selfAttention.selfAttentionStep(selfAttentionNorm(y), cache: &cache.selfAttention,
                                                    keyBias: selfKeyBias, positionBias: selfPositionBias).output
        let cross = crossAttention.crossAttentionStep(crossAttentionNorm(h), cache: cache.crossAttention,
                                                      keyBias: memoryKeyBias, returnWeights: returnCrossAttentionWeights)
        h = h + cross.output
        h = h + feedForward(feedForwardNorm(h))
        return AttentionOutput(output: h, weights: cross.weights)
    }

    public var namedParameters: [NamedParameter] {
        selfAttentionNorm.namedParameters(prefix: "selfAttentionNorm")
            + selfAttention.namedParameters(prefix: "selfAttention")
            + crossAttentionNorm.namedParameters(prefix: "crossAttentionNorm")
            + crossAttention.namedParameters(prefix: "crossAttention")
            + feedForwardNorm.namedParameters(prefix: "feedForwardNorm")
            + feedForward.namedParameters(prefix: "feedForward")
    }
}
