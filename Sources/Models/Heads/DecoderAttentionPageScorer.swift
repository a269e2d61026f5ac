import TensorCore

/// The zero-parameter page scorer: how much cross-attention the first decoded token pays
/// to each page, averaged over heads and layers.
///
/// `score_p = mean over layers and heads of Σ_{k<K} a[b, h, 0, p·K + k]`, where `a` is the
/// cross-attention of decoder position 0 (the start token, which predicts the first answer
/// token). The scores of a question sum to 1 over its real pages; padded pages get 0.
public enum DecoderAttentionPageScorer {
    /// `crossAttentionWeights`: one `[B, H, Lq, P·K]` tensor per decoder layer (query 0 is
    /// used) → `[B][P]` attention mass per page.
    public static func scores(crossAttentionWeights: [Tensor], pageCount: Int, summaryTokens: Int) -> [[Double]] {
        precondition(!crossAttentionWeights.isEmpty, "DecoderAttentionPageScorer: no cross-attention weights")
        let shape = crossAttentionWeights[0].shape
        precondition(shape.count == 4 && shape[3] == pageCount * summaryTokens,
                     "DecoderAttentionPageScorer: weights \(shape) are not [B, H, Lq, P·K] with P = \(pageCount), K = \(summaryTokens)")
        let b = shape[0], h = shape[1], lq = shape[2], slots = shape[3]
        var scores = [[Double]](repeating: [Double](repeating: 0, count: pageCount), count: b)
        let norm = 1 / Double(h * crossAttentionWeights.count)
        for layer in crossAttentionWeights {
            precondition(layer.shape == shape, "DecoderAttentionPageScorer: layers disagree (\(layer.shape) vs \(shape))")
            let values = layer.doubles
            for i in 0..<b {
                for head in 0..<h {
                    let base = ((i * h + head) * lq) * slots      // query position 0
                    for s in 0..<slots { scores[i][s / summaryTokens] += values[base + s] * norm }
                }
            }
        }
        return scores
    }
}
