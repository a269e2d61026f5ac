import NeuralNet

/// Sizes and switches of a Hi-VT5 / Fusion-in-Decoder model (README "Configs and runs").
///
/// Every field maps to one config key of the training schema (`model.*`, `encoder.*`,
/// `page_head.*`); the lead's Training module fills it from a resolved config. Token ids
/// (`padTokenId`, `eosTokenId`, `decoderStartTokenId`) come from the tokenizer.
///
/// ```swift
/// var config = HiVT5Configuration(vocabSize: 4096)           // the reference shape (README "Performance")
/// config.pooling = .attention
/// try config.validate()
/// let model = HiVT5(config, rng: &rng)
/// ```
public struct HiVT5Configuration: Sendable, Codable, Equatable {
    /// How the K summary vectors S(q, p) of a page are formed (`encoder.summarizer`).
    public enum Summarizer: String, Sendable, Codable, CaseIterable {
        /// The encoder outputs at the K leading summary-slot positions (Hi-VT5's [PAGE] tokens).
        case pageTokens = "page_tokens"
        /// K learned queries, one cross-attention block over all encoder outputs (resampler shape).
        case queries
        /// The summary-slot outputs plus the K token states from where the span head points
        /// (`PointerSummarizer`): the answer's tokens, in order. The memory then gets slot-index
        /// embeddings and the decoder absolute positions, so step t can read slot t.
        case pointer
    }

    /// Which embedding of OCR boxes the encoder adds (`encoder.layout_embedding`).
    public enum LayoutKind: String, Sendable, Codable, CaseIterable {
        /// `LayoutEmbedding`: quantised edges, width and height (MPVQA's own, for models from scratch).
        case buckets
        /// `SpatialEmbedding`: Hi-VT5's x/y tables over 0…1000, normalised and projected.
        case spatial
    }

    /// Visual tokens of the page image (`encoder.visual`).
    public enum Visual: String, Sendable, Codable, CaseIterable {
        case none
        /// Flattened image patches, linearly projected, with 2D grid-position embeddings.
        case patches
    }

    /// How the page head pools the K summaries of a page into one vector (`page_head.pooling`).
    public enum Pooling: String, Sendable, Codable, CaseIterable {
        case max, mean
        /// A learned query attends over the K summaries.
        case attention
        /// The first summary vector.
        case first
    }

    /// Vocabulary size V of the shared token embedding (and output projection).
    public var vocabSize: Int
    /// Model width d.
    public var modelDim: Int
    public var heads: Int
    public var encoderLayers: Int
    public var decoderLayers: Int
    /// Feed-forward hidden width.
    public var ffnDim: Int
    public var activation: FeedForward.Activation
    /// Dropout rate of every transformer block (0 = off).
    public var dropout: Double
    /// T5 relative-position buckets (shared by encoder and decoder settings).
    public var relativeBuckets: Int
    public var relativeMaxDistance: Int
    /// K: summary vectors per page.
    public var summaryTokens: Int
    public var summarizer: Summarizer
    /// 2D layout embeddings of OCR boxes on or off.
    public var layout: Bool
    /// Buckets of each quantised box coordinate: boxes in 0…1000 map to `value · buckets / 1001`.
    /// Coarser than 1001 so that a from-scratch model sees every bucket often.
    public var layoutBuckets: Int
    /// The embedding of boxes when `layout` is on; nil: `.buckets` (configurations written
    /// before the switch read back unchanged).
    public var layoutKind: LayoutKind? = nil
    public var visual: Visual
    /// Exact-match feature (`encoder.question_match`): OCR tokens marked as matching a word of
    /// the row's question (`PageEncoderInput.questionMatch`) get a learned "matches the
    /// question" embedding (DrQA's exact-match feature), a direct cue for finding the asked key
    /// on a page.
    public var questionMatch: Bool = false
    /// Copy path of the decoder (`decoder.copy`, `CopyHead`): the next-token distribution mixes
    /// the vocabulary softmax with a copy distribution over the memory slots' source tokens.
    public var copy: Bool = false
    /// `pointer` summarizer slots also carry how likely the answer ends at their token
    /// (`encoder.pointer_end_feature`, `PointerSummarizer`).
    public var pointerEndFeature: Bool = false
    /// True when summary slot k holds the k-th answer token in order: the `pointer`
    /// summarizer always, every summarizer with the copy path (its slots carry the span head's
    /// source tokens, README "Generated answers: the copy path"). The memory then gets
    /// slot-index embeddings and the decoder absolute positions, so decoding step t can find slot t.
    public var slotsFollowAnswer: Bool { summarizer == .pointer || copy }
    /// Values per visual patch: patch side² · channels.
    public var patchPixels: Int
    /// Largest patch-grid side (rows and columns) that has a position embedding.
    public var patchGridSide: Int
    /// Most pages per question (rows of the page-index embedding).
    public var maxPages: Int
    public var pooling: Pooling
    /// Hidden width of the page-head MLP.
    public var pageHeadHidden: Int
    public var padTokenId: Int32
    public var eosTokenId: Int32
    /// First decoder input (T5 uses the padding id).
    public var decoderStartTokenId: Int32
    /// Per-head attention width (T5's `d_kv`); nil: `modelDim / heads`. Imported T5 shapes
    /// may have `heads · headDim ≠ modelDim` (README "Hugging Face T5 import and export").
    /// Optional, like the two fields below, so configurations encoded before they existed
    /// decode and re-encode unchanged.
    public var headDim: Int? = nil
    /// ε of every RMS norm (T5's `layer_norm_epsilon`); nil: 1e-6.
    public var normEpsilon: Double? = nil
    /// True: the answer decoder has its own output projection `[V, d]` (T5 v1.1 / Flan's
    /// `lm_head`), applied without the d^-½ factor; nil or false: tied to the token embedding.
    public var untiedOutput: Bool? = nil

    /// A configuration with the reference sizes (README "Performance") as defaults.
    public init(vocabSize: Int, modelDim: Int = 256, heads: Int = 4, encoderLayers: Int = 4, decoderLayers: Int = 2,
                ffnDim: Int = 1024, activation: FeedForward.Activation = .gelu, dropout: Double = 0,
                relativeBuckets: Int = 32, relativeMaxDistance: Int = 128, summaryTokens: Int = 8,
                summarizer: Summarizer = .pageTokens, layout: Bool = true, layoutBuckets: Int = 128,
                visual: Visual = .none, patchPixels: Int = 0, patchGridSide: Int = 16, maxPages: Int = 20,
                pooling: Pooling = .attention, pageHeadHidden: Int = 256, padTokenId: Int32 = 0,
                eosTokenId: Int32 = 1, decoderStartTokenId: Int32 = 0) {
        self.vocabSize = vocabSize
        self.modelDim = modelDim
        self.heads = heads
        self.encoderLayers = encoderLayers
        self.decoderLayers = decoderLayers
        self.ffnDim = ffnDim
        self.activation = activation
        self.dropout = dropout
        self.relativeBuckets = relativeBuckets
        self.relativeMaxDistance = relativeMaxDistance
        self.summaryTokens = summaryTokens
        self.summarizer = summarizer
        self.layout = layout
        self.layoutBuckets = layoutBuckets
        self.visual = visual
        self.patchPixels = patchPixels
        self.patchGridSide = patchGridSide
        self.maxPages = maxPages
        self.pooling = pooling
        self.pageHeadHidden = pageHeadHidden
        self.padTokenId = padTokenId
        self.eosTokenId = eosTokenId
        self.decoderStartTokenId = decoderStartTokenId
    }

    /// Throws the first inconsistency, naming the field and what was expected.
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ message: String) throws {
            if !ok { throw ModelConfigurationError(field: field, message: message) }
        }
        try require(vocabSize > 0, "vocabSize", "must be positive, got \(vocabSize)")
        try require(modelDim > 0, "modelDim", "must be positive, got \(modelDim)")
        if let headDim {
            try require(heads > 0, "heads", "must be positive, got \(heads)")
            try require(headDim > 0, "headDim", "must be positive, got \(headDim)")
        } else {
            try require(heads > 0 && modelDim % heads == 0, "heads", "must divide modelDim \(modelDim), got \(heads)")
        }
        if let normEpsilon { try require(normEpsilon > 0, "normEpsilon", "must be positive, got \(normEpsilon)") }
        try require(encoderLayers > 0, "encoderLayers", "must be positive, got \(encoderLayers)")
        try require(decoderLayers > 0, "decoderLayers", "must be positive, got \(decoderLayers)")
        try require(ffnDim > 0, "ffnDim", "must be positive, got \(ffnDim)")
        try require(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got \(dropout)")
        try require(relativeBuckets >= 2, "relativeBuckets", "must be at least 2, got \(relativeBuckets)")
        try require(relativeMaxDistance > 0, "relativeMaxDistance", "must be positive, got \(relativeMaxDistance)")
        try require(summaryTokens > 0, "summaryTokens", "K must be positive, got \(summaryTokens)")
        try require(!layout || (layoutBuckets > 0 && layoutBuckets <= 1001), "layoutBuckets",
                    "must be in 1...1001, got \(layoutBuckets)")
        try require(visual == .none || patchPixels > 0, "patchPixels",
                    "must be positive (patch side² · channels) when visual = patches, got \(patchPixels)")
        try require(visual == .none || patchGridSide > 0, "patchGridSide", "must be positive, got \(patchGridSide)")
        try require(maxPages > 0, "maxPages", "must be positive, got \(maxPages)")
        try require(pageHeadHidden > 0, "pageHeadHidden", "must be positive, got \(pageHeadHidden)")
        for (name, id) in [("padTokenId", padTokenId), ("eosTokenId", eosTokenId), ("decoderStartTokenId", decoderStartTokenId)] {
            try require(id >= 0 && Int(id) < vocabSize, name, "must be a token id in 0..<\(vocabSize), got \(id)")
        }
    }

    /// The page encoder's transformer settings.
    public var encoderTransformer: TransformerConfiguration {
        TransformerConfiguration(modelDim: modelDim, heads: heads, headDim: headDim, feedForwardDim: ffnDim, layers: encoderLayers,
                                 activation: activation, relativeBuckets: relativeBuckets,
                                 relativeMaxDistance: relativeMaxDistance, dropout: dropout, normEpsilon: normEpsilon ?? 1e-6)
    }

    /// The answer decoder's transformer settings.
    public var decoderTransformer: TransformerConfiguration {
        TransformerConfiguration(modelDim: modelDim, heads: heads, headDim: headDim, feedForwardDim: ffnDim, layers: decoderLayers,
                                 activation: activation, relativeBuckets: relativeBuckets,
                                 relativeMaxDistance: relativeMaxDistance, dropout: dropout, normEpsilon: normEpsilon ?? 1e-6)
    }
}
