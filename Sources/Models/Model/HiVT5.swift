import NeuralNet
import TensorCore

/// The Hi-VT5 / Fusion-in-Decoder model for multi-page document VQA (README "Configs and runs").
///
/// ```
/// [B, P, L] pages ──encoder──► [B·P, K, d] summaries ──reshape + page embedding──► memory [B, P·K, d]
///                                      │                                                 │
///                                      └─► page head: scores [B, P]       answer decoder ◄┘ → logits [B, T, V]
/// ```
/// One token embedding is shared by the encoder input, the decoder input and the (tied)
/// output projection.
///
/// Parameter names start with `tokenEmbedding.`, `pageEncoder.`, `pageMemory.`, `decoder.`,
/// `pageHead.`, `spanHead.`; Training can select groups by prefix (e.g. everything but
/// `pageEncoder.` in cached mode).
///
/// ```swift
/// var rng = SeededRNG(seed: 1)
/// let model = HiVT5(config, rng: &rng)
/// var dropout: SeededRNG? = rng.split()
/// let loss = model.loss(batch, weights: LossWeights(page: 1, span: 0.5), rng: &dropout)
/// loss.total.backward()
/// let result = model.generate(batch, options: GenerationOptions(maxLength: 16, beams: 4))
/// ```
public final class HiVT5: Module, Sendable {
    public let configuration: HiVT5Configuration
    /// `[V, d]`, shared by encoder, decoder and output projection.
    public let tokenEmbedding: Embedding
    public let pageEncoder: PageEncoder
    public let pageMemory: PageMemoryBuilder
    public let decoder: AnswerDecoder
    public let pageHead: PageHead
    public let spanHead: SpanHead

    /// A new model, every parameter drawn from `rng`. The configuration must be valid
    /// (`configuration.validate()`).
    public init(_ config: HiVT5Configuration, dtype: DType = .float32, rng: inout SeededRNG) {
        do { try config.validate() } catch { preconditionFailure("HiVT5: \(error)") }
        configuration = config
        tokenEmbedding = Embedding(count: config.vocabSize, dimension: config.modelDim, std: 1, dtype: dtype, rng: &rng)
        spanHead = SpanHead(modelDim: config.modelDim, dtype: dtype, rng: &rng)
        pageEncoder = PageEncoder(config, tokenEmbedding: tokenEmbedding, spanHead: spanHead, dtype: dtype, rng: &rng)
        pageMemory = PageMemoryBuilder(maxPages: config.maxPages, dimension: config.modelDim,
                                       slots: config.slotsFollowAnswer ? config.summaryTokens : nil, dtype: dtype, rng: &rng)
        decoder = AnswerDecoder(config, tokenEmbedding: tokenEmbedding, dtype: dtype, rng: &rng)
        pageHead = PageHead(modelDim: config.modelDim, hiddenDim: config.pageHeadHidden, pooling: config.pooling,
                            dtype: dtype, rng: &rng)
    }

    public var dtype: DType { tokenEmbedding.weight.dtype }

    // MARK: Encoding

    /// Runs the page encoder over every page row of the batch (answer pass, and probe pass
    /// when present). `rng`: the dropout generator while training, nil at inference.
    /// `tokenStates: false` leaves them out (`EncodedQuestions.tokenStates` nil): a feature
    /// cache stores summaries only, and spreading every row's token states back over the
    /// padded batch would write far more than the summaries.
    public func encode(_ batch: QuestionBatch, tokenStates: Bool = true, rng: inout SeededRNG?) -> EncodedQuestions {
        let answer = encodeRealRows(batch.answerPass, tokenStates: tokenStates, rng: &rng)
        let probe = batch.probePass.map { encodeRealRows($0, tokenStates: false, rng: &rng) }
        return EncodedQuestions(batchSize: batch.batchSize, pageCount: batch.pageCount, summaries: answer.summaries,
                                probeSummaries: probe?.summaries, tokenStates: answer.tokenStates,
                                pageValid: batch.pageValid, slotTokens: answer.slotTokens, pageIndices: batch.pageIndices)
    }

    /// Encodes only the rows of real pages and spreads the results back over all R rows,
    /// zero on padded pages. A batch padded to its longest document would otherwise spend
    /// most of its encoder time on padding (documents have 1–20 pages).
    ///
    /// Rows are also padded only as far as they need: the real rows, sorted by length, go
    /// through the encoder in a few groups, each trimmed to its longest row plus K − 1
    /// positions (the pointer summarizer's slot k reads k positions past its start), so a
    /// short page is not padded to the batch's longest. Every row's result is the same as
    /// in one full-length pass: padded positions are masked keys, and their states are
    /// only read within those K − 1 positions. Visual patches follow the last token
    /// position, so rows with patches keep their full length.
    func encodeRealRows(_ input: PageEncoderInput, tokenStates keepStates: Bool = true, rng: inout SeededRNG?)
        -> (summaries: Tensor, tokenStates: Tensor?, slotTokens: [Int32]) {
        let groups = Self.lengthGroups(input)
        if groups.count == 1 && groups[0].rows.count == input.rows && groups[0].length == input.length {
            let encoding = pageEncoder(input, rng: &rng)
            return (encoding.summaries, keepStates ? encoding.tokenStates : nil, encoding.slotTokens)
        }
        let l = input.length, k = configuration.summaryTokens, d = configuration.modelDim
        var summaries: [Tensor] = [], states: [Tensor] = []
        var summaryRow = [Int32](repeating: -1, count: input.rows)  // -1: a zero row
        var stateRow = [Int32](repeating: -1, count: keepStates ? input.rows * l : 0)
        var slotTokens = [Int32](repeating: -1, count: input.rows * k)
        var packedRows = 0, packedStates = 0
        for group in groups {
            let packed = pageEncoder(input.selectingRows(group.rows, length: group.length), rng: &rng)
            for (j, r) in group.rows.enumerated() {
                summaryRow[r] = Int32(packedRows + j)
                if keepStates {
                    for position in 0..<group.length { stateRow[r * l + position] = Int32(packedStates + j * group.length + position) }
                }
                for slot in 0..<k { slotTokens[r * k + slot] = packed.slotTokens[j * k + slot] }
            }
            packedRows += group.rows.count
            packedStates += group.rows.count * group.length
            summaries.append(packed.summaries.reshaped([group.rows.count, k * d]))
            if keepStates { states.append(packed.tokenStates.reshaped([group.rows.count * group.length, d])) }
        }
        let joinedSummaries = summaries.count == 1 ? summaries[0] : Tensor.concat(summaries, axis: 0)
        let spreadStates = keepStates ? (states.count == 1 ? states[0] : Tensor.concat(states, axis: 0))
            .gatherRows(stateRow, shape: [input.rows * l]).reshaped([input.rows, l, d]) : nil
        return (joinedSummaries.gatherRows(summaryRow, shape: [input.rows]).reshaped([input.rows, k, d]), spreadStates, slotTokens)
    }

    /// The real rows of `input` in groups of similar length, and the length each group is
    /// trimmed to (see `encodeRealRows`). At most sixteen groups of at least eight rows each,
    /// so the encoder's matrix products stay large.
    public static func lengthGroups(_ input: PageEncoderInput) -> [(rows: [Int], length: Int)] {
        let l = input.length
        var used = [Int](repeating: 0, count: input.rows)  // one past the last valid position; 0: padded row
        for r in 0..<input.rows {
            for position in stride(from: l - 1, through: 0, by: -1) where input.tokenValid[r * l + position] {
                used[r] = position + 1
                break
            }
        }
        let real = (0..<input.rows).filter { used[$0] > 0 }.sorted { (used[$0], $0) < (used[$1], $1) }
        guard !real.isEmpty else { return [(Array(0..<input.rows), l)] }  // nothing real: encode as is
        if input.patches != nil { return [(real.sorted(), l)] }
        let count = max(1, min(16, real.count / 8))
        let reach = max(input.summarySlots - 1, 0)
        return (0..<count).map { g in
            let rows = Array(real[(g * real.count / count)..<((g + 1) * real.count / count)])
            return (rows, min(l, max(used[rows.last!] + reach, input.summarySlots)))
        }
    }

    /// `encode` at inference (no dropout).
    public func encode(_ batch: QuestionBatch, tokenStates: Bool = true) -> EncodedQuestions {
        var none: SeededRNG? = nil
        return encode(batch, tokenStates: tokenStates, rng: &none)
    }

    /// The decoder memory `[B, P·K, d]` of encoded questions.
    public func memory(_ encoded: EncodedQuestions) -> FiDMemory {
        pageMemory(summaries: encoded.summaries, batchSize: encoded.batchSize, pageCount: encoded.pageCount,
                   pageValid: encoded.pageValid, pageIndices: encoded.pageIndices,
                   slotTokens: decoder.copyHead == nil ? nil : encoded.slotTokens)
    }

    /// Page-head scores and "contains" logits of encoded questions (probe summaries when present).
    public func pageHeadOutput(_ encoded: EncodedQuestions) -> PageHead.Output {
        pageHead(summaries: encoded.headSummaries, batchSize: encoded.batchSize, pageCount: encoded.pageCount,
                 pageValid: encoded.pageValid)
    }

    // MARK: Teacher-forced forward and loss

    /// Answer logits for teacher-forced `targets.decoderInput`, page scores, contains logits
    /// and (when token states are present) span logits.
    public func forward(_ encoded: EncodedQuestions, targets: AnswerTargets, rng: inout SeededRNG?) -> HiVT5Output {
        precondition(targets.batchSize == encoded.batchSize,
                     "HiVT5: targets for \(targets.batchSize) questions, encoded batch has \(encoded.batchSize)")
        let logits = decoder.forward(targets.decoderInput, length: targets.length, memory: memory(encoded), rng: &rng).logits
        let head = pageHeadOutput(encoded)
        return HiVT5Output(answerLogits: logits, pageScores: head.scores, containsLogits: head.containsLogits,
                           span: encoded.tokenStates.map { spanHead($0) })
    }

    /// `forward` at inference (no dropout).
    public func forward(_ encoded: EncodedQuestions, targets: AnswerTargets) -> HiVT5Output {
        var none: SeededRNG? = nil
        return forward(encoded, targets: targets, rng: &none)
    }

    /// The end-to-end training loss of a batch. `rng`: the dropout generator, nil for none.
    public func loss(_ batch: QuestionBatch, weights: LossWeights = LossWeights(), rng: inout SeededRNG?) -> LossBreakdown {
        loss(encode(batch, rng: &rng), targets: batch.targets, weights: weights, rng: &rng)
    }

    /// `loss` without dropout.
    public func loss(_ batch: QuestionBatch, weights: LossWeights = LossWeights()) -> LossBreakdown {
        var none: SeededRNG? = nil
        return loss(batch, weights: weights, rng: &none)
    }

    /// The training loss of already-encoded questions (also the `cached` mode entry point):
    /// `CE(answer) + λ_page·CE(page) + λ_span·pointer(span) + λ_contains·BCE(contains)`.
    /// Terms with weight 0 are skipped (and report 0), as is the span term of a batch in which
    /// no answer occurs among the OCR tokens.
    public func loss(_ encoded: EncodedQuestions, targets: AnswerTargets, weights: LossWeights = LossWeights(),
                     rng: inout SeededRNG?) -> LossBreakdown {
        loss(encoded, targets: targets, weights: weights, answerWeight: 1, rng: &rng)
    }

    /// `loss` with the answer term scaled by `answerWeight` in `total` (its reported value
    /// stays unscaled): a shard's share of a batch mean (`shardedLossAndGradients`).
    func loss(_ encoded: EncodedQuestions, targets: AnswerTargets, weights: LossWeights, answerWeight: Double,
              rng: inout SeededRNG?) -> LossBreakdown {
        let b = encoded.batchSize, p = encoded.pageCount
        precondition(targets.batchSize == b, "HiVT5.loss: targets for \(targets.batchSize) questions, encoded batch has \(b)")
        let answer = answerLoss(encoded, targets: targets, rng: &rng)
        var total = answerWeight == 1 ? answer : answer.scaled(by: answerWeight)
        var pageLoss = 0.0, spanLoss = 0.0, containsLoss = 0.0

        if weights.page != 0 || weights.contains != 0 {
            let head = pageHeadOutput(encoded)
            if weights.page != 0 {
                for (i, page) in targets.answerPage.enumerated() where page != AnswerTargets.ignoreIndex {
                    precondition(page >= 0 && Int(page) < p && encoded.pageValid[i * p + Int(page)],
                                 "HiVT5.loss: answer page \(page) of question \(i) is not a real page of its \(p) page slots")
                }
                let term = head.scores.crossEntropy(targets: targets.answerPage)
                pageLoss = term.item
                total = total + term.scaled(by: weights.page)
            }
            if weights.contains != 0 {
                let term = head.containsLogits.binaryCrossEntropy(labels: containsLabels(targets, encoded))
                containsLoss = term.item
                total = total + term.scaled(by: weights.contains)
            }
        }
        if weights.span != 0 {
            guard let states = encoded.tokenStates, let labels = targets.spanLabels else {
                preconditionFailure("HiVT5.loss: the span loss needs token states (end-to-end encoding) and targets.spanLabels")
            }
            if let term = SpanHead.pointerLoss(spanHead(states), labels: labels, batchSize: b) {
                spanLoss = term.item
                total = total + term.scaled(by: weights.span)
            }
        }
        return LossBreakdown(total: total, answer: answer.item, page: pageLoss, span: spanLoss, contains: containsLoss)
    }

    /// The answer term: cross-entropy of the vocabulary softmax, or with the copy path the
    /// pointer-generator mixture's negative log-likelihood (a target token may come from the
    /// vocabulary or from any memory slot whose source token it is).
    func answerLoss(_ encoded: EncodedQuestions, targets: AnswerTargets, rng: inout SeededRNG?) -> Tensor {
        let b = encoded.batchSize, t = targets.length, d = configuration.modelDim
        let memory = memory(encoded)
        // The decoder runs on each question's positions up to its last target only, packed
        // (answers in a batch differ in length): causal attention keeps the padding after
        // them out of every earlier position, so this is the padded decoding's result there.
        var lengths = (0..<b).map { q in ((0..<t).last { targets.labels[q * t + $0] >= 0 } ?? -1) + 1 }
        if lengths.allSatisfy({ $0 == 0 }) { lengths = [Int](repeating: 1, count: b) }  // all ignored: the losses' own handling
        let sequences = PackedSequences(lengths: lengths)
        let positions = sequences.packedRowIndices(paddedLength: t)  // [N] position in [B, T] of each packed row
        let slots = memory.memory  // [B, P·K, d], read by both cross-attentions and the copy head
        let hidden = decoder.packedHiddenStates(targets.decoderInput, length: t, sequences: sequences, memory: slots,
                                                keyBias: memory.keyBias, rng: &rng)
        // Logits only at positions with a target; the mean over those positions is the same loss.
        let withTarget = positions.indices.filter { targets.labels[Int(positions[$0])] >= 0 }
        let kept = withTarget.isEmpty ? Array(positions.indices) : withTarget
        let labels = kept.map { targets.labels[Int(positions[$0])] }
        let keptHidden = kept.count == positions.count ? hidden : hidden.gatherRows(kept.map { Int32($0) }, shape: [kept.count])
        let vocab = decoder.logits(keptHidden)
        guard let copyHead = decoder.copyHead else { return vocab.crossEntropy(targets: labels) }
        // The copy head scores each question's rows against its own memory: [B, T, d] again.
        let padded = hidden.gatherRows(sequences.paddedRowIndices(paddedLength: t), shape: [b * t]).reshaped([b, t, d])
        let (copyLogits, gateLogits) = copyHead(padded, context: copyHead.context(memory, dense: slots))
        let m = memory.slotCount
        let rows = kept.map { positions[$0] }
        var match = [Bool](repeating: false, count: rows.count * m)
        for (j, position) in rows.enumerated() {
            let y = targets.labels[Int(position)], question = Int(position) / t
            for k in 0..<m where memory.slotTokens[question * m + k] == y { match[j * m + k] = true }
        }
        return Tensor.pointerGeneratorLoss(vocabLogits: vocab, copyLogits: copyLogits.reshaped([b * t, m]).gatherRows(rows, shape: [rows.count]),
                                           gateLogits: gateLogits.reshaped([b * t, 1]).gatherRows(rows, shape: [rows.count]).reshaped([rows.count]),
                                           copyMatch: match, targets: labels)
    }

    // MARK: Extractive answers

    /// The span head's best answer span of every question, among the OCR tokens of its real
    /// pages (nil for a question without OCR tokens). Positions index the answer-pass rows.
    public func extractSpans(_ batch: QuestionBatch, encoded: EncodedQuestions, maxTokens: Int) -> [ExtractedSpan?] {
        guard let states = encoded.tokenStates else {
            preconditionFailure("HiVT5.extractSpans: needs token states (end-to-end encoding), not cached summaries")
        }
        return withNoGrad {
            SpanHead.bestSpans(spanHead(states), candidate: batch.answerPass.ocrPositions, batchSize: batch.batchSize,
                               maxTokens: maxTokens)
        }
    }

    /// `[B, P]` contains-answer labels: the given ones with padded pages ignored, or 1 on the
    /// answer page and 0 on the other real pages.
    func containsLabels(_ targets: AnswerTargets, _ encoded: EncodedQuestions) -> [Int32] {
        let b = encoded.batchSize, p = encoded.pageCount, ignore = AnswerTargets.ignoreIndex
        var labels = [Int32](repeating: ignore, count: b * p)
        for i in 0..<b {
            for page in 0..<p where encoded.pageValid[i * p + page] {
                if let given = targets.pageContainsAnswer {
                    labels[i * p + page] = given[i * p + page]
                } else if targets.answerPage[i] != ignore {
                    labels[i * p + page] = Int32(page) == targets.answerPage[i] ? 1 : 0
                }
            }
        }
        return labels
    }

    public var namedParameters: [NamedParameter] {
        tokenEmbedding.namedParameters(prefix: "tokenEmbedding")
            + pageEncoder.namedParameters(prefix: "pageEncoder")
            + pageMemory.namedParameters(prefix: "pageMemory")
            + decoder.namedParameters(prefix: "decoder")
            + pageHead.namedParameters(prefix: "pageHead")
            + spanHead.namedParameters(prefix: "spanHead")
    }
}
