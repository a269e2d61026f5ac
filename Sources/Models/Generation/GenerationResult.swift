/// Answers and page predictions for a batch of B questions.
public struct GenerationResult: Sendable, Equatable {
    /// `[B][≤ maxLength]` generated answer tokens, without the start token and EOS.
    public let tokens: [[Int32]]
    /// `[B]` summed log-probability of each chosen answer (EOS included when generated).
    public let sequenceScores: [Double]
    /// `[B][P]` page-head scores (−1e9 on padded pages).
    public let pageScores: [[Double]]
    /// `[B][P]` decoder-attention page scores: cross-attention mass of the first decoded token
    /// per page, averaged over heads and layers (0 on padded pages).
    public let decoderAttentionPageScores: [[Double]]
    /// `[B]` the real page with the highest head score.
    public let predictedPage: [Int]
    /// `[B]` the real page with the highest decoder-attention score.
    public let predictedPageByAttention: [Int]
    /// Decoder steps run (the longest answer, capped by `maxLength`).
    public let steps: Int

    public init(tokens: [[Int32]], sequenceScores: [Double], pageScores: [[Double]], decoderAttentionPageScores: [[Double]],
                predictedPage: [Int], predictedPageByAttention: [Int], steps: Int) {
        self.tokens = tokens
        self.sequenceScores = sequenceScores
        self.pageScores = pageScores
        self.decoderAttentionPageScores = decoderAttentionPageScores
        self.predictedPage = predictedPage
        self.predictedPageByAttention = predictedPageByAttention
        self.steps = steps
    }
}
