/// What each encoder position holds; the model's segment embeddings tell the parts apart.
public enum SegmentID: Int32, Sendable, CaseIterable {
    /// Padding (masked out; its embedding never reaches an unmasked output).
    case padding = 0
    /// One of the K summary slots `<page_0>`…
    case summary = 1
    /// `<question>` and the prompt-rendered question.
    case question = 2
    /// `<ocr>` and the OCR tokens of the page.
    case ocr = 3
    /// Visual patch tokens (their features are in ``QuestionBatch/patches``).
    case image = 4
}

/// A batch of B questions for the model: for each question its pages (padded to P, the most
/// pages in the batch), each page's encoder tokens (padded to L), and the answer targets.
/// Plain arrays with shapes, so that Models never depends on DocData; Training turns them
/// into tensors.
///
/// Encoder row of question b, page p (real pages):
/// `<page_0> … <page_{K-1}> <question> prompt(q) <ocr> ocr tokens… <pad>…`
///
/// Shape legend: B questions, P pages, L encoder positions, T target positions,
/// N patches per page, D patch values.
public struct QuestionBatch: Sendable, Equatable {
    /// B.
    public var batchSize: Int
    /// P: the most pages of any question in the batch.
    public var pageCount: Int
    /// L: encoder positions per page.
    public var sequenceLength: Int
    /// T: target positions (answer tokens + `</s>`).
    public var targetLength: Int
    /// K: summary slots at the start of every row.
    public var summarySlots: Int

    /// `[B]` question ids.
    public var questionIds: [Int]
    /// `[B]` the gold answer used as target (drawn from the gold list), "" when unknown.
    public var targetAnswers: [String]

    /// `[B, P, L]` token ids; `padding` on padded positions and pages.
    public var tokenIDs: [Int32]
    /// `[B, P, L, 4]` boxes `[left, top, right, bottom]` quantised to 0…1000 for OCR tokens, 0 elsewhere.
    public var boxes: [Int32]
    /// `[B, P, L]` ``SegmentID`` raw values.
    public var segmentIDs: [Int32]
    /// `[B, P, L]` 1 for real tokens, 0 for padding (every position of a padded page is 0).
    public var attentionMask: [Float]
    /// `[B, P, L]` index of the OCR word a token comes from, -1 for other positions.
    public var wordIndex: [Int32]

    /// `[B, P]` 1 for real pages, 0 for padded ones.
    public var pageMask: [Float]
    /// `[B]` real pages of each question.
    public var pageCounts: [Int32]
    /// `[B]` document page index of each question's first page (non-zero for a training
    /// window that starts inside the document); empty means all zero.
    public var firstPageIndex: [Int32] = []
    /// `[B]` index of the answer page, -1 when unknown.
    public var answerPageIndex: [Int32]
    /// `[B, P]` 1 when the target answer's words occur in the page's (kept) OCR tokens.
    public var pageContainsAnswer: [Float]
    /// `[B, P, L]` 1 on the OCR tokens of the answer page that spell the target answer.
    public var answerSpanMask: [Float]
    /// `[B, P, L]` 1 on OCR tokens whose word matches a content word of the question
    /// (``QuestionWordMatch``), 0 elsewhere.
    public var questionMatch: [Float]

    /// `[B, T]` answer token ids then `</s>`, padded with -100 (ignored by the loss).
    public var targetIDs: [Int32]
    /// `[B, T]` decoder inputs: the start token then `targetIDs` shifted right, padding id after the end.
    public var decoderInputIDs: [Int32]

    /// `[B, P, N, D]` image patches when the pages carry them (zeros for padded pages), else nil.
    public var patches: [Float]?
    /// N and D of `patches` (0 when absent).
    public var patchCount: Int
    public var patchDimension: Int
    /// `[N, 2]` grid (row, column) of each patch, when `patches` is present.
    public var patchPositions: [Int32]?

    /// Value of `targetIDs` at ignored positions.
    public static let ignoreIndex: Int32 = -100

    /// `[B, P, L]`
    public var tokenShape: [Int] { [batchSize, pageCount, sequenceLength] }
    /// `[B, P, L, 4]`
    public var boxShape: [Int] { [batchSize, pageCount, sequenceLength, 4] }
    /// `[B, P]`
    public var pageShape: [Int] { [batchSize, pageCount] }
    /// `[B, T]`
    public var targetShape: [Int] { [batchSize, targetLength] }
    /// `[B, P, N, D]`, or nil without patches.
    public var patchShape: [Int]? { patches == nil ? nil : [batchSize, pageCount, patchCount, patchDimension] }

    /// Flat offset of position `l` of page `p` of question `b` in the `[B, P, L]` arrays.
    @inline(__always)
    public func offset(_ b: Int, _ p: Int, _ l: Int) -> Int { (b * pageCount + p) * sequenceLength + l }
}
