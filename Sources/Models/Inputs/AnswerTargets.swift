/// What a batch of B questions is trained towards: the teacher-forced answer, the answer
/// page, and the labels of the auxiliary losses. Everything Training needs besides the
/// encoder input, so that cached-summary training (no encoder input) uses the same type.
///
/// Shapes: `decoderInput, labels: [B, T]`, `answerPage: [B]`, `spanLabels: [R, L]` with
/// R = B·P, `pageContainsAnswer: [B, P]`. −100 marks an ignored label everywhere.
public struct AnswerTargets: Sendable, Equatable {
    /// The label value the losses skip.
    public static let ignoreIndex: Int32 = -100

    /// T.
    public var length: Int
    /// `[B, T]` decoder inputs: the start token, then the answer shifted right, then padding.
    public var decoderInput: [Int32]
    /// `[B, T]` the answer tokens and EOS, −100 on padding.
    public var labels: [Int32]
    /// `[B]` index of the answer page, −100 when unknown.
    public var answerPage: [Int32]
    /// `[R, L]` 1 on the answer page's OCR tokens that spell the answer, 0 on its other OCR
    /// tokens (and on the OCR tokens of other pages), −100 on everything else; nil when
    /// absent (no span loss).
    public var spanLabels: [Int32]?
    /// `[B, P]` 1 when the page contains the answer, 0 when not, −100 to ignore; nil
    /// derives it from `answerPage` (1 on the answer page, 0 on the other real pages).
    public var pageContainsAnswer: [Int32]?

    public init(length: Int, decoderInput: [Int32], labels: [Int32], answerPage: [Int32],
                spanLabels: [Int32]? = nil, pageContainsAnswer: [Int32]? = nil) {
        precondition(length > 0, "AnswerTargets: need at least one target position")
        precondition(decoderInput.count == labels.count && labels.count == answerPage.count * length,
                     "AnswerTargets: decoderInput \(decoderInput.count) and labels \(labels.count) must both be [B, T] with B = \(answerPage.count), T = \(length)")
        self.length = length
        self.decoderInput = decoderInput
        self.labels = labels
        self.answerPage = answerPage
        self.spanLabels = spanLabels
        self.pageContainsAnswer = pageContainsAnswer
    }

    /// B.
    public var batchSize: Int { answerPage.count }
}
