import NeuralNet
import TensorCore

/// Produces next-token logits for N hypotheses, one step at a time. Beam search calls
/// `next` with the parent row of every surviving hypothesis and the token it just chose.
protocol DecodingStepper {
    /// `parents: [N]` row each hypothesis continues (nil on the first step), `tokens: [N]`
    /// its latest token → logits `[N, V]` and, when asked, each layer's cross-attention
    /// weights `[N, H, 1, P·K]` of this step.
    mutating func next(parents: [Int32]?, tokens: [Int32], returnWeights: Bool) -> (logits: Tensor, crossAttentionWeights: [Tensor])
}

/// The KV-cached path: the memory's cross-attention keys and values are projected once per
/// question (then copied to its beams); each step appends one position of self-attention
/// keys and values.
struct CachedStepper: DecodingStepper {
    let decoder: AnswerDecoder
    var cache: DecoderCache
    /// The copy attention's slot keys, projected once per question (copy path only).
    var copy: CopyContext?

    /// `questionOfRow[i]`: the question of hypothesis row i.
    init(decoder: AnswerDecoder, memory: FiDMemory, questionOfRow: [Int32]) {
        self.decoder = decoder
        let perQuestion = decoder.makeCache(memory)
        cache = questionOfRow.count == memory.batchSize ? perQuestion : perQuestion.selectingBatch(questionOfRow)
        let copyPerQuestion = decoder.copyHead?.context(memory)
        copy = questionOfRow.count == memory.batchSize ? copyPerQuestion : copyPerQuestion?.selectingBatch(questionOfRow)
    }

    mutating func next(parents: [Int32]?, tokens: [Int32], returnWeights: Bool) -> (logits: Tensor, crossAttentionWeights: [Tensor]) {
        if let parents, parents != Array(0..<Int32(parents.count)) {
            cache = cache.selectingBatch(parents)
            copy = copy?.selectingBatch(parents)
        }
        let out = decoder.step(tokens, cache: &cache, returnCrossAttentionWeights: returnWeights)
        return (decoder.nextTokenScores(hidden: out.hidden, copy: copy), out.crossAttentionWeights)
    }
}

/// The reference path: every step re-runs the decoder on each hypothesis's whole prefix.
struct UncachedStepper: DecodingStepper {
    let decoder: AnswerDecoder
    let memory: FiDMemory
    /// Tokens fed so far to each hypothesis, start token first.
    var prefixes: [[Int32]]

    init(decoder: AnswerDecoder, memory: FiDMemory, questionOfRow: [Int32]) {
        self.decoder = decoder
        self.memory = questionOfRow.count == memory.batchSize ? memory : memory.selectingBatch(questionOfRow)
        prefixes = Array(repeating: [], count: questionOfRow.count)
    }

    mutating func next(parents: [Int32]?, tokens: [Int32], returnWeights: Bool) -> (logits: Tensor, crossAttentionWeights: [Tensor]) {
        if let parents { prefixes = parents.map { prefixes[Int($0)] } }
        for i in prefixes.indices { prefixes[i].append(tokens[i]) }
        let n = prefixes.count, t = prefixes[0].count
        var none: SeededRNG? = nil
        let out = decoder.forward(prefixes.flatMap { $0 }, length: t, memory: memory,
                                  returnCrossAttentionWeights: returnWeights, rng: &none)
        let last = out.hidden.slice(axis: 1, (t - 1)..<t).reshaped([n, out.hidden.shape[2]])
        return (decoder.nextTokenScores(hidden: last, copy: decoder.copyHead?.context(memory)), out.crossAttentionWeights)
    }
}
