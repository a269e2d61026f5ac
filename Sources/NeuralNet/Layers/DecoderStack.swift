import TensorCore

/// A T5 decoder without embeddings or output projection: pre-norm blocks (causal
/// self-attention sharing one causal relative position bias, cross-attention over the
/// encoder memory, feed-forward), then a final RMS norm and dropout.
///
/// Shapes: `y: [B, L, D]` (embedded targets), `memory: [B, M, D]` (a tensor or another `ProjectableMemory`), `memoryKeyBias: [B, M]`
/// → `[B, L, D]`. Parameter names: `relativePositionBias.weight`, `layers.<i>.*`, `finalNorm.weight`.
///
/// Training runs the whole target at once (`callAsFunction` / `forward`); generation
/// runs `step` with a `DecoderCache` (self-attention keys/values appended per step,
/// cross-attention keys/values of the memory computed once):
/// ```swift
/// var cache = decoder.makeCache(memory: memory, memoryKeyBias: mask)
/// var token = startIds
/// for _ in 0..<maxLength {
///     let h = decoder.step(embedding(token, shape: [B, 1]), cache: &cache).output   // [B, 1, D]
///     token = argmax(outputProjection(h))
/// }
/// ```
public final class DecoderStack: Module, Sendable {
    /// The hidden states and, when asked, each layer's cross-attention weights `[B, H, L, M]`.
    public struct Output {
        public let output: Tensor
        public let crossAttentionWeights: [Tensor]
    }

    public let configuration: TransformerConfiguration
    public let relativePositionBias: RelativePositionBias
    public let layers: [DecoderBlock]
    public let finalNorm: RMSNorm
    public let dropout: Dropout

    public init(_ config: TransformerConfiguration, dtype: DType = .float32, rng: inout SeededRNG) {
        configuration = config
        relativePositionBias = RelativePositionBias(heads: config.heads, numBuckets: config.relativeBuckets,
                                                    maxDistance: config.relativeMaxDistance, bidirectional: false,
                                                    std: 1 / Double(config.modelDim).squareRoot(), dtype: dtype, rng: &rng)
        var blocks: [DecoderBlock] = []
        for _ in 0..<config.layers { blocks.append(DecoderBlock(config, dtype: dtype, rng: &rng)) }
        layers = blocks
        finalNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        dropout = Dropout(rate: config.dropout)
    }

    /// The whole target sequence (teacher forcing). `rng`: dropout generator or nil.
    public func forward(_ y: Tensor, memory: some ProjectableMemory, memoryKeyBias: Tensor? = nil, selfKeyBias: Tensor? = nil,
                        returnCrossAttentionWeights: Bool = false, rng: inout SeededRNG?) -> Output {
        let length = y.shape[1]
        let positionBias = relativePositionBias(queryLength: length, keyLength: length)
        var h = y
        var weights: [Tensor] = []
        for layer in layers {
            let out = layer.forward(h, memory: memory, memoryKeyBias: memoryKeyBias, selfKeyBias: selfKeyBias,
                                    selfPositionBias: positionBias,
                                    returnCrossAttentionWeights: returnCrossAttentionWeights, rng: &rng)
            h = out.output
            if let w = out.weights { weights.append(w) }
        }
        return Output(output: dropout(finalNorm(h), rng: &rng), crossAttentionWeights: weights)
    }

    /// `forward` on packed target rows `y: [N, D]` (`sequences`: one per batch item, no
    /// padding) → `[N, D]`: the padded forward's states at the real positions, without
    /// computing the padded ones.
    public func packedForward(_ y: Tensor, sequences: PackedSequences, memory: Tensor, memoryKeyBias: Tensor? = nil,
                              rng: inout SeededRNG?) -> Tensor {
        let length = max(sequences.maxLength, 1)
        let positionBias = relativePositionBias(queryLength: length, keyLength: length)
        var h = y
        for layer in layers {
            h = layer.packedForward(h, sequences: sequences, memory: memory, memoryKeyBias: memoryKeyBias,
                                    selfPositionBias: positionBias, rng: &rng)
        }
        return dropout(finalNorm(h), rng: &rng)
    }

    /// `forward(...).output`.
    public func callAsFunction(_ y: Tensor, memory: some ProjectableMemory, memoryKeyBias: Tensor? = nil, selfKeyBias: Tensor? = nil,
                               rng: inout SeededRNG?) -> Tensor {
        forward(y, memory: memory, memoryKeyBias: memoryKeyBias, selfKeyBias: selfKeyBias, rng: &rng).output
    }

    /// Inference on the whole target (no dropout).
    public func callAsFunction(_ y: Tensor, memory: some ProjectableMemory, memoryKeyBias: Tensor? = nil) -> Tensor {
        var none: SeededRNG? = nil
        return self(y, memory: memory, memoryKeyBias: memoryKeyBias, rng: &none)
    }

    /// A cache for decoding against `memory` (its keys and values projected once per layer).
    public func makeCache(memory: some ProjectableMemory, memoryKeyBias: Tensor? = nil) -> DecoderCache {
        DecoderCache(layers: layers.map { $0.makeCache(memory: memory) }, memoryKeyBias: memoryKeyBias)
    }

    /// Decodes new positions `y: [B, l, D]` (usually l = 1) after the `cache.length`
    /// already decoded, appending their keys and values to `cache`. Inference: no dropout.
    public func step(_ y: Tensor, cache: inout DecoderCache, returnCrossAttentionWeights: Bool = false) -> Output {
        let past = cache.length, l = y.shape[1]
        let positionBias = relativePositionBias(queryLength: l, keyLength: past + l, queryOffset: past)
        var h = y
        var weights: [Tensor] = []
        for (i, layer) in layers.enumerated() {
            let out = layer.step(h, cache: &cache.layers[i], memoryKeyBias: cache.memoryKeyBias,
                                 selfPositionBias: positionBias, returnCrossAttentionWeights: returnCrossAttentionWeights)
            h = out.output
            if let w = out.weights { weights.append(w) }
        }
        return Output(output: finalNorm(h), crossAttentionWeights: weights)
    }

    public var namedParameters: [NamedParameter] {
        relativePositionBias.namedParameters(prefix: "relativePositionBias")
            + layers.namedParameters(prefix: "layers")
            + finalNorm.namedParameters(prefix: "finalNorm")
    }
}

/// Everything a `DecoderStack` keeps between decoding steps: each layer's keys and values
/// and the memory's key mask.
public struct DecoderCache: Sendable {
    public var layers: [DecoderBlock.Cache]
    /// `[B, M]`, the mask of the memory (padded pages/positions), or nil.
    public var memoryKeyBias: Tensor?

    /// Number of positions decoded so far.
    public var length: Int { layers.first?.selfAttention.length ?? 0 }

    /// Row `i` of the result is row `indices[i]` of this cache: beam search keeps the
    /// surviving hypotheses, or expands one question to several beams.
    public func selectingBatch(_ indices: [Int32]) -> DecoderCache {
        DecoderCache(layers: layers.map { $0.selectingBatch(indices) },
                     memoryKeyBias: memoryKeyBias.map { selectRows($0, indices) })
    }
}
