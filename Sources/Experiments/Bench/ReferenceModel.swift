import NeuralNet
import TensorCore

/// The reference model of `mpvqa bench` (README "Performance"), built from NeuralNet layers: a T5-style
/// page encoder run on every page of one question at once; the first K outputs of each page
/// (its summary slots, as in Hi-VT5) plus a page embedding form the decoder memory; a
/// T5-style answer decoder with a vocabulary head.
///
/// Shapes (P pages, L tokens per page, K summary slots, T answer tokens, D width, V vocabulary):
/// page tokens `[P, L]` → encoder `[P, L, D]` → summaries `[P, K, D]` → memory `[1, P·K, D]`;
/// answer tokens `[1, T]` → decoder `[1, T, D]` → logits `[T, V]`.
///
/// ```swift
/// var rng = SeededRNG(seed: 1)
/// let model = ReferenceModel(shape: .spec, rng: &rng)
/// let logits = model(pageTokens: pages, answerInputs: answer)     // [16, 4096]
/// ```
public final class ReferenceModel: Module {
    public let shape: ReferenceShape
    /// Shared by pages and answers (T5 ties encoder and decoder embeddings).
    public let tokenEmbedding: Embedding
    public let pageEmbedding: Embedding
    public let encoder: EncoderStack
    public let decoder: DecoderStack
    public let vocabularyHead: Linear

    public init(shape: ReferenceShape, rng: inout SeededRNG) {
        self.shape = shape
        func config(layers: Int) -> TransformerConfiguration {
            TransformerConfiguration(modelDim: shape.dModel, heads: shape.heads, feedForwardDim: shape.ffn, layers: layers,
                                     activation: shape.gatedFeedForward ? .gatedGELU : .relu)
        }
        tokenEmbedding = Embedding(count: shape.vocab, dimension: shape.dModel, rng: &rng)
        pageEmbedding = Embedding(count: shape.pages, dimension: shape.dModel, std: 0.02, rng: &rng)
        encoder = EncoderStack(config(layers: shape.encoderLayers), rng: &rng)
        decoder = DecoderStack(config(layers: shape.decoderLayers), rng: &rng)
        vocabularyHead = Linear(shape.dModel, shape.vocab, rng: &rng)
    }

    public var namedParameters: [NamedParameter] {
        tokenEmbedding.namedParameters(prefix: "tokenEmbedding")
            + pageEmbedding.namedParameters(prefix: "pageEmbedding")
            + encoder.namedParameters(prefix: "encoder")
            + decoder.namedParameters(prefix: "decoder")
            + vocabularyHead.namedParameters(prefix: "vocabularyHead")
    }

    /// Answer logits `[T, V]` for page tokens `[P·L]` (row-major `[P, L]`) and teacher-forced
    /// answer inputs `[T]`.
    public func callAsFunction(pageTokens: [Int32], answerInputs: [Int32]) -> Tensor {
        let p = shape.pages, l = shape.tokensPerPage, k = shape.summaryTokens, d = shape.dModel
        let t = answerInputs.count
        let encoded = encoder(tokenEmbedding(pageTokens, shape: [p, l]))                   // [P, L, D]
        let summaries = encoded.slice(axis: 1, 0..<k)                                      // [P, K, D]
        let pageVectors = pageEmbedding((0..<p).map { Int32($0) }, shape: [p, 1])          // [P, 1, D]
        let memory = (summaries + pageVectors).reshaped([1, p * k, d])                     // [1, P·K, D]
        let decoded = decoder(tokenEmbedding(answerInputs, shape: [1, t]), memory: memory) // [1, T, D]
        return vocabularyHead(decoded).reshaped([t, shape.vocab])                          // [T, V]
    }
}
