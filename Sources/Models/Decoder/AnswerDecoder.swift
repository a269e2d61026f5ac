import NeuralNet
import TensorCore

/// The FiD answer decoder: the shared token embedding, a T5 `DecoderStack` (causal
/// self-attention, cross-attention over the page memory, feed-forward) and an output
/// projection tied to the token embedding.
///
/// Output projection: `logits = h · Eᵀ · d^-½` with E the shared `[V, d]` token embedding,
/// or, with `untiedOutput` (T5 v1.1 / Flan), `logits = h · Wᵀ` with its own `W: [V, d]`;
/// as in the original T5. Tying was chosen because answers are mostly copied from OCR
/// tokens the encoder embeds with the same table, so a token's input and output vectors
/// agree from the first step; it also saves V·d parameters. The d^-½ factor keeps the
/// logits of unit-RMS states and unit-variance embeddings at unit scale.
///
/// With the `pointer` summarizer the decoder input also gets a learned absolute-position
/// embedding (position t ↔ memory slot t of every page, see `PageMemoryBuilder`): T5's
/// relative positions alone do not tell step t which slot holds the t-th answer token.
///
/// With the copy switch (`CopyHead`) the decoder's next-token distribution is the
/// pointer-generator mixture of the vocabulary softmax and a copy distribution over the memory
/// slots' source tokens; `nextTokenScores` returns its log-probabilities.
///
/// Shapes: `decoderInput: [B, T]`, memory `[B, M, d]` → logits `[B, T, V]`, hidden `[B, T, d]`.
/// The token embedding is owned by `HiVT5`; parameter names: `stack.*`, `positionEmbedding.weight`
/// (`pointer` summarizer only), `copy.*` (copy switch only), `outputProjection.weight` (untied only).
public final class AnswerDecoder: Module, Sendable {
    public let tokenEmbedding: Embedding
    public let stack: DecoderStack
    /// `[positions, d]` absolute positions (when slots follow the answer), nil otherwise.
    public let positionEmbedding: Embedding?
    /// The copy path, nil when the copy switch is off.
    public let copyHead: CopyHead?
    /// d^-½ when tied, 1 with an own output projection.
    public let outputScale: Double
    /// `[V, d]`, the untied output projection (`untiedOutput`), nil when tied.
    public let outputProjection: Linear?

    public init(_ config: HiVT5Configuration, tokenEmbedding: Embedding, dtype: DType = .float32, rng: inout SeededRNG) {
        self.tokenEmbedding = tokenEmbedding
        stack = DecoderStack(config.decoderTransformer, dtype: dtype, rng: &rng)
        positionEmbedding = config.slotsFollowAnswer
            ? Embedding(count: Self.positions(config), dimension: config.modelDim, std: 0.5, dtype: dtype, rng: &rng) : nil
        copyHead = config.copy ? CopyHead(modelDim: config.modelDim, dtype: dtype, rng: &rng) : nil
        // Drawn last, so a tied model draws exactly what it drew before this option existed.
        let untied = config.untiedOutput ?? false
        outputProjection = untied ? Linear(config.modelDim, config.vocabSize, std: 1, dtype: dtype, rng: &rng) : nil
        outputScale = untied ? 1 : 1 / Double(config.modelDim).squareRoot()
    }

    /// Rows of the position table: one per summary slot, plus room for the end token; later
    /// positions reuse the last row.
    static func positions(_ config: HiVT5Configuration) -> Int { config.summaryTokens + 1 }

    /// Token embeddings of `tokens` `[B, T]` at positions `first…first+T−1`.
    func embed(_ tokens: [Int32], batch: Int, length: Int, first: Int) -> Tensor {
        let y = tokenEmbedding(tokens, shape: [batch, length])
        guard let positionEmbedding else { return y }
        let last = positionEmbedding.count - 1
        return y + positionEmbedding((0..<length).map { Int32(min(first + $0, last)) }, shape: [length])
    }

    /// Hidden states `[..., d]` → logits `[..., V]`.
    public func logits(_ hidden: Tensor) -> Tensor {
        if let outputProjection { return outputProjection(hidden) }
        return hidden.matmul(tokenEmbedding.weight, transposeB: true).scaled(by: outputScale)
    }

    /// Teacher-forced decoding of whole targets: `decoderInput: [B, T]` → logits `[B, T, V]`,
    /// the final hidden states `[B, T, d]` and, when asked, each layer's cross-attention weights
    /// `[B, H, T, P·K]`. `rng`: the dropout generator while training, nil at inference.
    public func forward(_ decoderInput: [Int32], length: Int, memory: FiDMemory, returnCrossAttentionWeights: Bool = false,
                        rng: inout SeededRNG?) -> (logits: Tensor, hidden: Tensor, crossAttentionWeights: [Tensor]) {
        let out = hiddenStates(decoderInput, length: length, memory: memory, returnCrossAttentionWeights: returnCrossAttentionWeights, rng: &rng)
        return (logits(out.hidden), out.hidden, out.crossAttentionWeights)
    }

    /// `forward` without the logits: the final hidden states `[B, T, d]` (the loss computes
    /// logits only where a target is not ignored).
    public func hiddenStates(_ decoderInput: [Int32], length: Int, memory: FiDMemory, returnCrossAttentionWeights: Bool = false,
                             rng: inout SeededRNG?) -> (hidden: Tensor, crossAttentionWeights: [Tensor]) {
        let b = memory.batchSize
        precondition(decoderInput.count == b * length,
                     "AnswerDecoder: \(decoderInput.count) decoder inputs for [B, T] = [\(b), \(length)]")
        let y = embed(decoderInput, batch: b, length: length, first: 0)
        let out = stack.forward(y, memory: memory, memoryKeyBias: memory.keyBias,
                                returnCrossAttentionWeights: returnCrossAttentionWeights, rng: &rng)
        return (out.output, out.crossAttentionWeights)
    }

    /// Teacher-forced hidden states of packed targets: `decoderInput: [B, T]`, of which
    /// question b's first `sequences.length(b)` positions are decoded (its answer and end
    /// token; the rest is padding) → `[N, d]` in `sequences` order. The same states as
    /// `hiddenStates` at those positions, without computing the padded ones.
    /// `memory`: the dense memory `[B, P·K, d]` (`FiDMemory.memory`), `keyBias: [B, P·K]`.
    public func packedHiddenStates(_ decoderInput: [Int32], length: Int, sequences: PackedSequences, memory: Tensor, keyBias: Tensor,
                                   rng: inout SeededRNG?) -> Tensor {
        let b = memory.shape[0]
        precondition(decoderInput.count == b * length && sequences.count == b && sequences.maxLength <= length,
                     "AnswerDecoder: \(decoderInput.count) decoder inputs for [B, T] = [\(b), \(length)] and \(sequences.count) sequences of at most \(sequences.maxLength)")
        let rows = sequences.packedRowIndices(paddedLength: length)
        let n = rows.count
        var y = tokenEmbedding(rows.map { decoderInput[Int($0)] }, shape: [n])
        if let positionEmbedding {
            let last = positionEmbedding.count - 1
            y = y + positionEmbedding(rows.map { Int32(min(Int($0) % length, last)) }, shape: [n])
        }
        return stack.packedForward(y, sequences: sequences, memory: memory, memoryKeyBias: keyBias, rng: &rng)
    }

    /// Next-token scores of hidden states `[N, d]` (one per hypothesis): the logits `[N, V]`,
    /// or with the copy path the mixture's log-probabilities `[N, V]` (`copy`: the copy
    /// context of the N rows). Beam search normalises either with a log-softmax.
    public func nextTokenScores(hidden: Tensor, copy: CopyContext?) -> Tensor {
        let n = hidden.shape[0], d = hidden.shape[hidden.rank - 1]
        let vocab = logits(hidden).reshaped([n, tokenEmbedding.count])
        guard let copyHead, let copy else { return vocab }
        let (c, s) = copyHead(hidden.reshaped([n, 1, d]), context: copy)
        return Tensor.pointerGeneratorLogProbabilities(vocabLogits: vocab, copyLogits: c.reshaped([n, c.shape[2]]),
                                                       gateLogits: s.reshaped([n]), slotTokens: copy.slotTokens)
    }

    /// A decoding cache for `memory`: its cross-attention keys and values are projected here,
    /// once per question.
    public func makeCache(_ memory: FiDMemory) -> DecoderCache {
        stack.makeCache(memory: memory, memoryKeyBias: memory.keyBias)
    }

    /// One cached decoding step: `tokens: [B]` (the latest token of each sequence) → hidden
    /// states `[B, d]` and, when asked, each layer's cross-attention weights `[B, H, 1, P·K]`.
    public func step(_ tokens: [Int32], cache: inout DecoderCache, returnCrossAttentionWeights: Bool = false)
        -> (hidden: Tensor, crossAttentionWeights: [Tensor]) {
        let y = embed(tokens, batch: tokens.count, length: 1, first: cache.length)
        let out = stack.step(y, cache: &cache, returnCrossAttentionWeights: returnCrossAttentionWeights)
        return (out.output.reshaped([tokens.count, out.output.shape[out.output.rank - 1]]), out.crossAttentionWeights)
    }

    public var namedParameters: [NamedParameter] {
        stack.namedParameters(prefix: "stack") + (positionEmbedding?.namedParameters(prefix: "positionEmbedding") ?? [])
            + (copyHead?.namedParameters(prefix: "copy") ?? [])
            + (outputProjection?.namedParameters(prefix: "outputProjection") ?? [])
    }
}
