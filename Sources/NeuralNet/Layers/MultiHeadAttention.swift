import TensorCore

/// Multi-head attention in the T5 style: separate query, key, value and output
/// projections without bias, an optional additive position bias (relative buckets),
/// additive key masks and a causal switch; self- or cross-attention.
///
/// Shapes (`I = heads · headDim`, the inner width, `D` the model width):
/// `x: [B, Lq, D]`, `context: [B, Lk, D]` (defaults to `x`), `keyBias: [B, Lk]`,
/// `positionBias: [H, Lq, Lk]` → `[B, Lq, D]`; attention weights `[B, H, Lq, Lk]`.
/// Projections: `query, key, value: [I, D]`, `output: [D, I]`.
/// Parameter names: `query.weight`, `key.weight`, `value.weight`, `output.weight`.
///
/// ```swift
/// let attention = MultiHeadAttention(modelDim: 256, heads: 4, rng: &rng)
/// let y = attention(x, keyBias: mask, positionBias: bias(queryLength: L, keyLength: L))
/// let z = attention(y, context: memory, keyBias: memoryMask)          // cross-attention
/// ```
public final class MultiHeadAttention: Module, Sendable {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    public let heads: Int
    public let headDim: Int
    /// Multiplier of `q·k` before the softmax; T5 uses 1 (its initialisation folds the
    /// usual 1/√Dh into the query projection).
    public let scale: Double

    /// New projections with T5's initialisation: query std (D·Dh)^-½, key and value
    /// std D^-½, output std I^-½. `headDim` defaults to `modelDim / heads`.
    public init(modelDim: Int, heads: Int, headDim: Int? = nil, scale: Double = 1,
                dtype: DType = .float32, rng: inout SeededRNG) {
        let dh = headDim ?? modelDim / heads
        precondition(headDim != nil || modelDim % heads == 0,
                     "MultiHeadAttention: model width \(modelDim) is not divisible by \(heads) heads; pass headDim")
        let inner = heads * dh
        let d = Double(modelDim)
        query = Linear(modelDim, inner, std: 1 / (d * Double(dh)).squareRoot(), dtype: dtype, rng: &rng)
        key = Linear(modelDim, inner, std: 1 / d.squareRoot(), dtype: dtype, rng: &rng)
        value = Linear(modelDim, inner, std: 1 / d.squareRoot(), dtype: dtype, rng: &rng)
        output = Linear(inner, modelDim, std: 1 / Double(inner).squareRoot(), dtype: dtype, rng: &rng)
        self.heads = heads
        self.headDim = dh
        self.scale = scale
    }

    /// Attention over given projections (`query, key, value: [I, D]`, `output: [D, I]`).
    public init(query: Linear, key: Linear, value: Linear, output: Linear, heads: Int, scale: Double = 1) {
        precondition(query.outFeatures % heads == 0, "MultiHeadAttention: inner width \(query.outFeatures) not divisible by \(heads) heads")
        precondition(key.outFeatures == query.outFeatures && value.outFeatures == query.outFeatures
                     && output.inFeatures == query.outFeatures,
                     "MultiHeadAttention: projection shapes disagree (query \(query.weight.shape), key \(key.weight.shape), value \(value.weight.shape), output \(output.weight.shape))")
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.heads = heads
        self.headDim = query.outFeatures / heads
        self.scale = scale
    }

    /// Attention of `x` over `context` (self-attention when `context` is nil).
    public func callAsFunction(_ x: Tensor, context: Tensor? = nil, keyBias: Tensor? = nil, causal: Bool = false,
                               positionBias: Tensor? = nil) -> Tensor {
        attend(x, context: context, keyBias: keyBias, causal: causal, positionBias: positionBias).output
    }

    /// As `callAsFunction`, optionally also returning the attention weights `[B, H, Lq, Lk]`.
    public func attend(_ x: Tensor, context: Tensor? = nil, keyBias: Tensor? = nil, causal: Bool = false,
                       positionBias: Tensor? = nil, returnWeights: Bool = false) -> AttentionOutput {
        let source = context ?? x
        return attend(x, keys: key(source), values: value(source), keyBias: keyBias, causal: causal,
                      positionBias: positionBias, returnWeights: returnWeights)
    }

    // MARK: Decoding with a cache

    /// The projected keys and values of an encoder memory `[B, M, D]`, computed once per
    /// question and reused at every decoding step (cross-attention).
    public func keysValues(for memory: some ProjectableMemory) -> KeyValueCache {
        KeyValueCache(keys: memory.projected(by: key), values: memory.projected(by: value))
    }

    /// One decoding step of causal self-attention: appends the keys and values of the new
    /// positions `x: [B, l, D]` to `cache`, then attends over every cached position.
    /// `positionBias: [H, l, cache.length]` covers queries at offset `cache.length − l`.
    public func selfAttentionStep(_ x: Tensor, cache: inout KeyValueCache, keyBias: Tensor? = nil,
                                  positionBias: Tensor? = nil, returnWeights: Bool = false) -> AttentionOutput {
        cache.append(keys: key(x), values: value(x))
        return attend(x, keys: cache.keys!, values: cache.values!, keyBias: keyBias, causal: true,
                      positionBias: positionBias, returnWeights: returnWeights)
    }

    /// Cross-attention of `x: [B, l, D]` over keys and values from `keysValues(for:)`
    /// (a decoding step, or the whole target at once; differentiable either way).
    public func crossAttentionStep(_ x: Tensor, cache: KeyValueCache, keyBias: Tensor? = nil,
                                   returnWeights: Bool = false) -> AttentionOutput {
        precondition(cache.keys != nil, "MultiHeadAttention.crossAttentionStep: empty cache; build it with keysValues(for:)")
        return attend(x, keys: cache.keys!, values: cache.values!, keyBias: keyBias, causal: false,
                      positionBias: nil, returnWeights: returnWeights)
    }

    // MARK: Packed sequences

    /// Causal self-attention within each sequence of a packed `x: [N, D]` (`PackedSequences`:
    /// sequences of different lengths, no padding); `positionBias: [H, T, T]`, T the longest
    /// sequence. Row for row the same as padded self-attention at the real positions.
    public func packedSelfAttention(_ x: Tensor, sequences: PackedSequences, positionBias: Tensor? = nil) -> Tensor {
        attend(x, keys: key(x), values: value(x), keyBias: nil, causal: true, positionBias: positionBias, returnWeights: false,
               querySequences: sequences, keySequences: sequences).output
    }

    /// Cross-attention of packed queries `x: [N, D]`: sequence b attends to item b of the
    /// memory `[B, M, D]` (`keyBias: [B, M]`). Row for row the same as projecting the memory's
    /// keys and values and attending over them.
    ///
    /// Computed with the key and value projections moved to the query side, since
    /// `q_h · (W_k,h m) = (W_k,hᵀ q_h) · m` and `Σ_m p_m W_v,h m = W_v,h Σ_m p_m m`: each head's
    /// queries are mapped into the memory's width and attend over the memory itself, one
    /// shared key/value head of width D for the H·T query rows of a sequence, and the
    /// attended memory vectors are then mapped by `W_v,h`. Training reads every memory slot
    /// once per step but decodes only a few positions per question, so this costs about
    /// `H·T·M·D` per question instead of projecting `M` slots twice (`2·M·D·I`); with a memory
    /// of cached summaries it also skips the projections' weight gradients over every slot.
    public func packedCrossAttention(_ x: Tensor, sequences: PackedSequences, memory: Tensor, keyBias: Tensor? = nil) -> Tensor {
        let n = x.shape[0], h = heads, dh = headDim, d = memory.shape[2]
        precondition(memory.rank == 3 && memory.shape[0] == sequences.count && d == key.inFeatures,
                     "MultiHeadAttention.packedCrossAttention: memory \(memory.shape) is not [B, M, \(key.inFeatures)] for \(sequences.count) sequences")
        // [N, H·Dh] → [H, N, Dh] · W_k as [H, Dh, D] → [H, N, D] → rows (n, h) in sequence order.
        let perHead = query(x).reshaped([n, h, dh]).transposed(0, 1)
        let foldedQueries = perHead.matmul(key.weight.reshaped([h, dh, d])).transposed(0, 1).reshaped([n * h, d])
        let rows = PackedSequences(lengths: (0..<sequences.count).map { sequences.length($0) * h })
        let attended = Tensor.attention(query: foldedQueries, key: memory, value: memory, heads: 1, keyBias: keyBias,
                                        scale: scale, querySequences: rows).output
        // [N·H, D] → [H, N, D] · W_vᵀ as [H, D, Dh] → [H, N, Dh] → [N, H·Dh].
        let values = attended.reshaped([n, h, d]).transposed(0, 1).matmul(value.weight.reshaped([h, dh, d]), transposeB: true)
        return output(values.transposed(0, 1).reshaped([n, h * dh]))
    }

    /// The shared core: queries from `x`, given projected keys and values.
    private func attend(_ x: Tensor, keys: Tensor, values: Tensor, keyBias: Tensor?, causal: Bool,
                        positionBias: Tensor?, returnWeights: Bool,
                        querySequences: PackedSequences? = nil, keySequences: PackedSequences? = nil) -> AttentionOutput {
        let result = Tensor.attention(query: query(x), key: keys, value: values, heads: heads, keyBias: keyBias,
                                      causal: causal, positionBias: positionBias, scale: scale,
                                      returnWeights: returnWeights, querySequences: querySequences, keySequences: keySequences)
        return AttentionOutput(output: output(result.output), weights: result.weights)
    }

    public var namedParameters: [NamedParameter] {
        query.namedParameters(prefix: "query") + key.namedParameters(prefix: "key")
            + value.namedParameters(prefix: "value") + output.namedParameters(prefix: "output")
    }
}
