import TensorCore

/// A T5 encoder without embeddings: pre-norm blocks sharing one bidirectional relative
/// position bias, then a final RMS norm and dropout.
///
/// Shapes: `x: [B, L, D]` (embedded inputs), `keyBias: [B, L]` (0 keep, −1e9 padding)
/// → `[B, L, D]`. Parameter names: `relativePositionBias.weight`, `layers.<i>.*`, `finalNorm.weight`.
///
/// ```swift
/// let encoder = EncoderStack(TransformerConfiguration(modelDim: 256, heads: 4, feedForwardDim: 1024, layers: 4), rng: &rng)
/// let memory = encoder(embedding(ids, shape: [B, L]),
///                      keyBias: AttentionMask.keyBias(validLengths: lengths, length: L))
/// ```
public final class EncoderStack: Module, Sendable {
    public let configuration: TransformerConfiguration
    public let relativePositionBias: RelativePositionBias
    public let layers: [EncoderBlock]
    public let finalNorm: RMSNorm
    public let dropout: Dropout

    public init(_ config: TransformerConfiguration, dtype: DType = .float32, rng: inout SeededRNG) {
        configuration = config
        relativePositionBias = RelativePositionBias(heads: config.heads, numBuckets: config.relativeBuckets,
                                                    maxDistance: config.relativeMaxDistance, bidirectional: true,
                                                    std: 1 / Double(config.modelDim).squareRoot(), dtype: dtype, rng: &rng)
        var blocks: [EncoderBlock] = []
        for _ in 0..<config.layers { blocks.append(EncoderBlock(config, dtype: dtype, rng: &rng)) }
        layers = blocks
        finalNorm = RMSNorm(config.modelDim, eps: config.normEpsilon, dtype: dtype)
        dropout = Dropout(rate: config.dropout)
    }

    /// `rng`: the dropout generator while training, nil at inference.
    public func callAsFunction(_ x: Tensor, keyBias: Tensor? = nil, rng: inout SeededRNG?) -> Tensor {
        let length = x.shape[1]
        let positionBias = relativePositionBias(queryLength: length, keyLength: length)
        var h = x
        for layer in layers { h = layer(h, keyBias: keyBias, positionBias: positionBias, rng: &rng) }
        return dropout(finalNorm(h), rng: &rng)
    }

    /// Inference (no dropout).
    public func callAsFunction(_ x: Tensor, keyBias: Tensor? = nil) -> Tensor {
        var none: SeededRNG? = nil
        return self(x, keyBias: keyBias, rng: &none)
    }

    public var namedParameters: [NamedParameter] {
        relativePositionBias.namedParameters(prefix: "relativePositionBias")
            + layers.namedParameters(prefix: "layers")
            + finalNorm.namedParameters(prefix: "finalNorm")
    }
}
