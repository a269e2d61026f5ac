import TensorCore

/// A batch of B questions after the page encoder: what the decoder and the heads read.
///
/// Built by `HiVT5.encode(_:)`, or directly from cached summaries (`train.mode: cached`, README "Cached training";
/// where `tokenStates` is nil and the span loss is unavailable).
///
/// Shapes: `summaries, probeSummaries: [B·P, K, d]`, `tokenStates: [B·P, L, d]`,
/// `pageValid: [B, P]`, `slotTokens: [B·P, K]`, `pageIndices: [B, P]`.
public struct EncodedQuestions: Sendable {
    /// B.
    public let batchSize: Int
    /// P.
    public let pageCount: Int
    /// `[B·P, K, d]` answer-pass summaries (the decoder memory).
    public let summaries: Tensor
    /// `[B·P, K, d]` probe-pass summaries (the page head reads them), or nil.
    public let probeSummaries: Tensor?
    /// `[B·P, L, d]` answer-pass token states (the span head reads them), or nil.
    public let tokenStates: Tensor?
    /// `[B, P]`.
    public let pageValid: [Bool]
    /// `[B·P, K]` the source token each answer-pass summary slot reads (−1 = none), the copy
    /// path's per-slot data; nil when no slot has one (e.g. features from another encoder).
    public let slotTokens: [Int32]?
    /// `[B, P]` the document page index of every page slot (nil: 0…P−1, the whole document).
    public let pageIndices: [Int32]?

    public init(batchSize: Int, pageCount: Int, summaries: Tensor, probeSummaries: Tensor? = nil,
                tokenStates: Tensor? = nil, pageValid: [Bool], slotTokens: [Int32]? = nil, pageIndices: [Int32]? = nil) {
        let rows = batchSize * pageCount
        precondition(summaries.rank == 3 && summaries.shape[0] == rows,
                     "EncodedQuestions: summaries \(summaries.shape) are not [B·P, K, d] with B = \(batchSize), P = \(pageCount)")
        if let probeSummaries {
            precondition(probeSummaries.shape == summaries.shape,
                         "EncodedQuestions: probe summaries \(probeSummaries.shape) differ from summaries \(summaries.shape)")
        }
        if let tokenStates {
            precondition(tokenStates.rank == 3 && tokenStates.shape[0] == rows && tokenStates.shape[2] == summaries.shape[2],
                         "EncodedQuestions: token states \(tokenStates.shape) are not [B·P, L, d] for summaries \(summaries.shape)")
        }
        precondition(pageValid.count == rows, "EncodedQuestions: \(pageValid.count) page flags for [B, P] = [\(batchSize), \(pageCount)]")
        precondition(slotTokens == nil || slotTokens!.count == rows * summaries.shape[1],
                     "EncodedQuestions: \(slotTokens!.count) slot tokens for [B·P, K] = [\(rows), \(summaries.shape[1])]")
        precondition(pageIndices == nil || pageIndices!.count == rows,
                     "EncodedQuestions: \(pageIndices!.count) page indices for [B, P] = [\(batchSize), \(pageCount)]")
        self.batchSize = batchSize
        self.pageCount = pageCount
        self.summaries = summaries
        self.probeSummaries = probeSummaries
        self.tokenStates = tokenStates
        self.pageValid = pageValid
        self.slotTokens = slotTokens
        self.pageIndices = pageIndices
    }

    /// The summaries the page head reads: the probe pass when there is one.
    public var headSummaries: Tensor { probeSummaries ?? summaries }
}
