import NeuralNet
import TensorCore

/// Encodes every (question, page) row independently and summarises each into K vectors.
///
/// ```
/// x = tokenEmbedding(tokens) + segmentEmbedding(segments) [+ layout(boxes)]     [R, L, d]
/// [x = concat(x, patchEmbedding(patches) + segmentEmbedding(visual))]           [R, L+N, d]
/// h = encoder(x, keyBias)                                                       padded positions masked
/// S = h[:, 0..<K]               (pageTokens)   or   querySummarizer(h)  (queries)
///   or h[:, 0..<K] + the K token states the span head points at   (pointer, PointerSummarizer)
/// ```
/// All R = B·P rows of a batch go through the stack as one `[R, L(+N), d]` pass.
///
/// The token embedding (shared with the answer decoder) and the span head (read by the
/// `pointer` summarizer) are owned by `HiVT5`: they are not among this encoder's
/// `namedParameters`.
/// Parameter names: `segmentEmbedding.weight`, `layout.*`, `patchEmbedding.*`, `encoder.*`,
/// `querySummarizer.*`, `pointerSummarizer.gate` (the optional parts only when their switch is on).
public final class PageEncoder: Module, Sendable {
    public let tokenEmbedding: Embedding
    /// `[4, d]`: one row per `PageSegment`.
    public let segmentEmbedding: Embedding
    public let layout: LayoutEmbedding?
    /// Hi-VT5's spatial embedding, in place of `layout` with `layoutKind: .spatial`.
    public let spatial: SpatialEmbedding?
    public let patchEmbedding: PatchEmbedding?
    public let encoder: EncoderStack
    public let querySummarizer: QuerySummarizer?
    public let pointerSummarizer: PointerSummarizer?
    /// The span head whose start logits give every summarizer's slots their source tokens
    /// with the copy path (nil without it; the `pointer` summarizer reads it itself).
    let slotSourceHead: SpanHead?
    /// `[2, d]`: added to OCR tokens that do / do not occur in the question (exact-match switch).
    public let questionMatchEmbedding: Embedding?
    public let summaryTokens: Int

    public init(_ config: HiVT5Configuration, tokenEmbedding: Embedding, spanHead: SpanHead, dtype: DType = .float32,
                rng: inout SeededRNG) {
        self.tokenEmbedding = tokenEmbedding
        segmentEmbedding = Embedding(count: PageSegment.allCases.count, dimension: config.modelDim, std: 0.5,
                                     dtype: dtype, rng: &rng)
        let kind = config.layout ? config.layoutKind ?? .buckets : nil
        layout = kind == .buckets
            ? LayoutEmbedding(buckets: config.layoutBuckets, dimension: config.modelDim, dtype: dtype, rng: &rng) : nil
        spatial = kind == .spatial ? SpatialEmbedding(dimension: config.modelDim, dtype: dtype, rng: &rng) : nil
        patchEmbedding = config.visual == .patches
            ? PatchEmbedding(pixels: config.patchPixels, dimension: config.modelDim, gridSide: config.patchGridSide,
                             dtype: dtype, rng: &rng) : nil
        encoder = EncoderStack(config.encoderTransformer, dtype: dtype, rng: &rng)
        querySummarizer = config.summarizer == .queries
            ? QuerySummarizer(config.encoderTransformer, summaryTokens: config.summaryTokens, dtype: dtype, rng: &rng) : nil
        pointerSummarizer = config.summarizer == .pointer
            ? PointerSummarizer(spanHead: spanHead, endFeature: config.pointerEndFeature, modelDim: config.modelDim, dtype: dtype, rng: &rng)
            : nil
        slotSourceHead = config.copy && config.summarizer != .pointer ? spanHead : nil
        questionMatchEmbedding = config.questionMatch
            ? Embedding(count: 2, dimension: config.modelDim, std: 0.5, dtype: dtype, rng: &rng) : nil
        summaryTokens = config.summaryTokens
    }

    public var dtype: DType { tokenEmbedding.weight.dtype }

    /// `input` of R rows → summaries `[R, K, d]` and token states `[R, L, d]`.
    /// `rng`: the dropout generator while training, nil at inference.
    ///
    /// ```swift
    /// var noDropout: SeededRNG? = nil
    /// let encoding = model.pageEncoder(input, rng: &noDropout)
    /// ```
    public func callAsFunction(_ input: PageEncoderInput, rng: inout SeededRNG?) -> PageEncoding {
        let rows = input.rows, length = input.length
        var x = tokenEmbedding(input.tokens, shape: [rows, length]) + segmentEmbedding(input.segments, shape: [rows, length])
        if let layout {
            x = x + layout(boxes: input.boxes, segments: input.segments, rows: rows, length: length)
        }
        if let spatial {
            x = x + spatial(boxes: input.boxes, segments: input.segments, rows: rows, length: length)
        }
        if let questionMatchEmbedding {
            guard let matches = input.questionMatch else {
                preconditionFailure("PageEncoder: the question-match switch is on but the input has no questionMatch marks")
            }
            // Row 1 on matching OCR tokens, row 0 on other OCR tokens, nothing elsewhere.
            let ids = (0..<(rows * length)).map { i -> Int32 in
                input.segments[i] == PageSegment.ocr.rawValue ? (matches[i] ? 1 : 0) : -1
            }
            x = x + questionMatchEmbedding(ids, shape: [rows, length])
        }
        var total = length
        if let patchEmbedding {
            guard let patches = input.patches else {
                preconditionFailure("PageEncoder: the visual switch is on but the input has no patches")
            }
            let visual = segmentEmbedding([PageSegment.visual.rawValue], shape: [1])
            x = Tensor.concat([x, patchEmbedding(patches) + visual], axis: 1)
            total += patches.count
        }
        let valid = patchEmbedding == nil ? input.tokenValid : input.positionValid
        let keyBias = AttentionMask.keyBias(valid: valid, batch: rows, length: total, dtype: dtype)
        let h = encoder(x, keyBias: keyBias, rng: &rng)
        let tokenStates = total == length ? h : h.slice(axis: 1, 0..<length)

        let summaries: Tensor
        var slotTokens: [Int32]? = nil
        if let querySummarizer {
            summaries = querySummarizer(h, keyBias: keyBias, rng: &rng)
        } else {
            precondition(input.summarySlots == summaryTokens,
                         "PageEncoder: the summary-slot summarizers need K = \(summaryTokens) leading summary slots, the input has \(input.summarySlots)")
            let slots = h.slice(axis: 1, 0..<summaryTokens)
            if let pointerSummarizer {
                (summaries, slotTokens) = pointerSummarizer(slotStates: slots, tokenStates: tokenStates,
                                                            candidate: input.ocrPositions, tokens: input.tokens)
            } else {
                summaries = slots
            }
        }
        if let slotSourceHead {
            // page_tokens / queries: slot k's source token is the k-th token from the span
            // head's most likely start, as the pointer summarizer's; the summaries themselves
            // stay the summarizer's own (no span readout is added to them).
            slotTokens = PointerSummarizer.sourceTokens(spanHead: slotSourceHead, tokenStates: tokenStates, candidate: input.ocrPositions,
                                                        tokens: input.tokens, slots: summaryTokens)
        }
        return PageEncoding(summaries: summaries, tokenStates: tokenStates, slotTokens: slotTokens)
    }

    public var namedParameters: [NamedParameter] {
        segmentEmbedding.namedParameters(prefix: "segmentEmbedding")
            + (layout?.namedParameters(prefix: "layout") ?? [])
            + (spatial?.namedParameters(prefix: "spatial") ?? [])
            + (patchEmbedding?.namedParameters(prefix: "patchEmbedding") ?? [])
            + encoder.namedParameters(prefix: "encoder")
            + (querySummarizer?.namedParameters(prefix: "querySummarizer") ?? [])
            + (pointerSummarizer?.namedParameters(prefix: "pointerSummarizer") ?? [])
            + (questionMatchEmbedding?.namedParameters(prefix: "questionMatchEmbedding") ?? [])
    }
}
