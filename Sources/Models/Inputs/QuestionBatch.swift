/// A batch of B questions, each with P page slots (the most pages of any question in the
/// batch), ready for `HiVT5`. Training converts DocData batches into this type.
///
/// Page p of question b is row `b·P + p` of the encoder inputs (R = B·P rows). The probe
/// pass, when present, encodes the same pages with the probe prompt; the page head then
/// reads its summaries (the 2n-pass probe), the decoder always reads the answer pass.
///
/// Shapes: `pageValid: [B, P]`; the encoder inputs have R = B·P rows.
///
/// ```swift
/// let batch = QuestionBatch(batchSize: 2, pageCount: 3, answerPass: input, pageValid: valid, targets: targets)
/// let loss = model.loss(batch, weights: LossWeights(page: 1))
/// ```
public struct QuestionBatch: Sendable, Equatable {
    /// B.
    public var batchSize: Int
    /// P.
    public var pageCount: Int
    /// Encoder input of the answer pass (the decoder's memory comes from it).
    public var answerPass: PageEncoderInput
    /// Encoder input of the probe pass (the page head reads it), or nil.
    public var probePass: PageEncoderInput?
    /// `[B, P]` true for real pages, false for padded page slots.
    public var pageValid: [Bool]
    /// `[B, P]` the document page index of every page slot, or nil for 0…P−1 (whole
    /// documents). A training window of pages a…a+W−1 passes a…a+W−1.
    public var pageIndices: [Int32]?
    public var targets: AnswerTargets

    public init(batchSize: Int, pageCount: Int, answerPass: PageEncoderInput, probePass: PageEncoderInput? = nil,
                pageValid: [Bool], pageIndices: [Int32]? = nil, targets: AnswerTargets) {
        let rows = batchSize * pageCount
        precondition(answerPass.rows == rows, "QuestionBatch: answer pass has \(answerPass.rows) rows, expected B·P = \(batchSize)·\(pageCount)")
        if let probePass {
            precondition(probePass.rows == rows, "QuestionBatch: probe pass has \(probePass.rows) rows, expected B·P = \(batchSize)·\(pageCount)")
        }
        precondition(pageValid.count == rows, "QuestionBatch: \(pageValid.count) page flags for [B, P] = [\(batchSize), \(pageCount)]")
        precondition(targets.batchSize == batchSize, "QuestionBatch: targets are for \(targets.batchSize) questions, batch has \(batchSize)")
        if let span = targets.spanLabels {
            precondition(span.count == rows * answerPass.length,
                         "QuestionBatch: \(span.count) span labels for [R, L] = [\(rows), \(answerPass.length)]")
        }
        if let contains = targets.pageContainsAnswer {
            precondition(contains.count == rows, "QuestionBatch: \(contains.count) contains-answer labels for [B, P] = [\(batchSize), \(pageCount)]")
        }
        self.batchSize = batchSize
        self.pageCount = pageCount
        self.answerPass = answerPass
        self.probePass = probePass
        precondition(pageIndices == nil || pageIndices!.count == rows,
                     "QuestionBatch: \(pageIndices!.count) page indices for [B, P] = [\(batchSize), \(pageCount)]")
        self.pageValid = pageValid
        self.pageIndices = pageIndices
        self.targets = targets
    }
}
