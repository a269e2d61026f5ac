import TensorCore

/// The reference shape (README "Performance") of `mpvqa bench`: one question of `pages` pages, each page
/// `tokensPerPage` tokens (the first `summaryTokens` are the K summary slots) through the
/// encoder; the decoder reads the `pages·K` summaries and predicts `answerTokens` tokens.
public struct ReferenceShape: Codable, Hashable, Sendable {
    public var encoderLayers = 4
    public var dModel = 256
    public var heads = 4
    public var ffn = 1024
    /// T5 v1.1's gated FFN (`gate`, `up`, `down`) instead of v1.0's two projections with ReLU.
    public var gatedFeedForward = false
    /// Tokens per page, summary slots included.
    public var tokensPerPage = 160
    /// K: summary tokens per page.
    public var summaryTokens = 8
    public var pages = 8
    public var decoderLayers = 2
    public var answerTokens = 16
    public var vocab = 4096

    /// README "Performance": encoder 4 × d 256, 4 heads, FFN 1024, 160 tokens, K = 8, 8 pages; decoder 2 layers,
    /// 16 answer tokens, vocabulary 4096.
    public static let spec = ReferenceShape()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case encoderLayers = "encoder_layers", dModel = "d_model", heads, ffn, gatedFeedForward = "gated_ffn"
        case tokensPerPage = "tokens_per_page"
        case summaryTokens = "summary_tokens", pages, decoderLayers = "decoder_layers", answerTokens = "answer_tokens", vocab
    }

    /// Width of one attention head.
    public var headDim: Int { dModel / heads }
    /// Rows of the decoder memory: `pages · K`.
    public var memoryRows: Int { pages * summaryTokens }

    /// Every matrix product of one forward pass, in the layout our layers run them:
    /// linear layers as one product over the flattened rows of all pages (`x·Wᵀ`, `W: [out, in]`),
    /// attention as one product per (page, head).
    public var forwardProducts: [GemmProduct] {
        let d = dModel, f = ffn, h = heads, dh = headDim
        let rows = pages * tokensPerPage, l = tokensPerPage, t = answerTokens, mem = memoryRows
        let enc = encoderLayers, dec = decoderLayers
        let ffnIn = gatedFeedForward ? 2 : 1  // gate and up projections
        return [
            // Encoder, every page at once; attention per (page, head).
            GemmProduct("encoder.attention.qkv", m: rows, n: d, k: d, transposeB: true, count: 3 * enc),
            GemmProduct("encoder.attention.scores", batch: pages * h, m: l, n: l, k: dh, transposeB: true, count: enc),
            GemmProduct("encoder.attention.context", batch: pages * h, m: l, n: dh, k: l, count: enc),
            GemmProduct("encoder.attention.out", m: rows, n: d, k: d, transposeB: true, count: enc),
            GemmProduct("encoder.ffn.in", m: rows, n: f, k: d, transposeB: true, count: ffnIn * enc),
            GemmProduct("encoder.ffn.out", m: rows, n: d, k: f, transposeB: true, count: enc),
            // Decoder: causal self-attention, cross-attention over the pages·K summaries, FFN.
            GemmProduct("decoder.self.qkvo", m: t, n: d, k: d, transposeB: true, count: 4 * dec),
            GemmProduct("decoder.self.scores", batch: h, m: t, n: t, k: dh, transposeB: true, count: dec),
            GemmProduct("decoder.self.context", batch: h, m: t, n: dh, k: t, count: dec),
            GemmProduct("decoder.cross.qo", m: t, n: d, k: d, transposeB: true, count: 2 * dec),
            GemmProduct("decoder.cross.kv", m: mem, n: d, k: d, transposeB: true, count: 2 * dec),
            GemmProduct("decoder.cross.scores", batch: h, m: t, n: mem, k: dh, transposeB: true, count: dec),
            GemmProduct("decoder.cross.context", batch: h, m: t, n: dh, k: mem, count: dec),
            GemmProduct("decoder.ffn.in", m: t, n: f, k: d, transposeB: true, count: ffnIn * dec),
            GemmProduct("decoder.ffn.out", m: t, n: d, k: f, transposeB: true, count: dec),
            GemmProduct("decoder.lm_head", m: t, n: vocab, k: d, transposeB: true),
        ]
    }

    /// Every matrix product of one training step: the forward products and, for each, the
    /// `dA` and `dB` products of its VJP (every operand of the reference step needs a gradient:
    /// weights, and activations that depend on the embedding tables).
    public var trainingProducts: [GemmProduct] {
        forwardProducts.flatMap { [$0] + $0.backward() }
    }
}
