/// One row of `eval/<split>/predictions.jsonl`: a question's answers and pages from every
/// head and scorer, and (on splits with gold answers) each one's score, so the report can
/// show each head and answer kind in its own column (README "Experiments").
///
/// `answer` / `answer_page` are the submitted ones (`eval.answer`), and `anls`, `accuracy`,
/// `page_correct`, `top3_page_correct` score them, as before; the rest never depend on
/// which kind is submitted.
public struct QuestionEvaluation: Codable, Equatable, Sendable {
    public var questionId: Int
    /// The question's document: the report's bootstrap resamples documents.
    public var docId: String
    public var pageCount: Int
    /// Which kind `answer` is (`generate` or `extract`).
    public var answerSource: String
    public var answer: String
    public var answerPage: Int
    public var generatedAnswer: String
    /// Page of the page head, and its scores of the real pages.
    public var pageHeadPage: Int
    public var pageScores: [Double]
    /// Page of the decoder-attention scorer, and its scores.
    public var attentionPage: Int
    public var attentionPageScores: [Double]
    /// The span head's answer and page (nil when the evaluator does not extract: cached runs).
    public var extractedAnswer: String?
    public var extractedPage: Int?
    /// Page with the most question words (``LexicalPageBaseline``).
    public var lexicalPage: Int
    /// Scores, on splits with gold answers (nil otherwise).
    public var scores: Scores?

    /// Per-question scores of every head, kind and baseline (each 0 or 1, ANLS in [0, 1]).
    public struct Scores: Codable, Equatable, Sendable {
        public var answerPageIndex: Int
        /// The submitted answer and page.
        public var anls: Double
        public var accuracy: Double
        public var pageCorrect: Double
        public var top3PageCorrect: Double?
        public var generatedANLS: Double
        public var generatedAccuracy: Double
        public var extractedANLS: Double?
        public var extractedAccuracy: Double?
        public var pageHeadCorrect: Double
        /// The answer page is among the page head's 3 best scores.
        public var pageHeadTop3Correct: Double
        public var spanPageCorrect: Double?
        public var attentionPageCorrect: Double
        public var lexicalPageCorrect: Double
        public var page0Correct: Double

        public init(answerPageIndex: Int, anls: Double, accuracy: Double, pageCorrect: Double, top3PageCorrect: Double?,
                    generatedANLS: Double, generatedAccuracy: Double, extractedANLS: Double?, extractedAccuracy: Double?,
                    pageHeadCorrect: Double, pageHeadTop3Correct: Double, spanPageCorrect: Double?, attentionPageCorrect: Double,
                    lexicalPageCorrect: Double, page0Correct: Double) {
            self.answerPageIndex = answerPageIndex
            self.anls = anls; self.accuracy = accuracy; self.pageCorrect = pageCorrect; self.top3PageCorrect = top3PageCorrect
            self.generatedANLS = generatedANLS; self.generatedAccuracy = generatedAccuracy
            self.extractedANLS = extractedANLS; self.extractedAccuracy = extractedAccuracy
            self.pageHeadCorrect = pageHeadCorrect; self.pageHeadTop3Correct = pageHeadTop3Correct
            self.spanPageCorrect = spanPageCorrect; self.attentionPageCorrect = attentionPageCorrect
            self.lexicalPageCorrect = lexicalPageCorrect; self.page0Correct = page0Correct
        }

        enum CodingKeys: String, CodingKey {
            case anls, accuracy
            case answerPageIndex = "answer_page_idx", pageCorrect = "page_correct", top3PageCorrect = "top3_page_correct"
            case generatedANLS = "generated_anls", generatedAccuracy = "generated_accuracy"
            case extractedANLS = "extracted_anls", extractedAccuracy = "extracted_accuracy"
            case pageHeadCorrect = "page_head_correct", pageHeadTop3Correct = "page_head_top3_correct"
            case spanPageCorrect = "span_page_correct", attentionPageCorrect = "attention_page_correct"
            case lexicalPageCorrect = "lexical_page_correct", page0Correct = "page0_correct"
        }
    }

    public init(questionId: Int, docId: String, pageCount: Int, answerSource: String, answer: String, answerPage: Int,
                generatedAnswer: String, pageHeadPage: Int, pageScores: [Double], attentionPage: Int, attentionPageScores: [Double],
                extractedAnswer: String?, extractedPage: Int?, lexicalPage: Int, scores: Scores?) {
        self.questionId = questionId; self.docId = docId; self.pageCount = pageCount; self.answerSource = answerSource
        self.answer = answer; self.answerPage = answerPage; self.generatedAnswer = generatedAnswer
        self.pageHeadPage = pageHeadPage; self.pageScores = pageScores
        self.attentionPage = attentionPage; self.attentionPageScores = attentionPageScores
        self.extractedAnswer = extractedAnswer; self.extractedPage = extractedPage; self.lexicalPage = lexicalPage
        self.scores = scores
    }

    enum CodingKeys: String, CodingKey {
        case questionId, answer
        case docId = "doc_id", pageCount = "page_count", answerSource = "answer_source", answerPage = "answer_page"
        case generatedAnswer = "generated_answer", pageHeadPage = "page_head_page", pageScores = "page_scores"
        case attentionPage = "attention_page", attentionPageScores = "attention_page_scores"
        case extractedAnswer = "extracted_answer", extractedPage = "extracted_page", lexicalPage = "lexical_page"
    }

    // The scores sit at the top level of the JSON line (as `predictions.jsonl` always had
    // `anls`, `page_correct`, …), not in a nested object.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        questionId = try c.decode(Int.self, forKey: .questionId)
        docId = try c.decode(String.self, forKey: .docId)
        pageCount = try c.decode(Int.self, forKey: .pageCount)
        answerSource = try c.decode(String.self, forKey: .answerSource)
        answer = try c.decode(String.self, forKey: .answer)
        answerPage = try c.decode(Int.self, forKey: .answerPage)
        generatedAnswer = try c.decode(String.self, forKey: .generatedAnswer)
        pageHeadPage = try c.decode(Int.self, forKey: .pageHeadPage)
        pageScores = try c.decode([Double].self, forKey: .pageScores)
        attentionPage = try c.decode(Int.self, forKey: .attentionPage)
        attentionPageScores = try c.decode([Double].self, forKey: .attentionPageScores)
        extractedAnswer = try c.decodeIfPresent(String.self, forKey: .extractedAnswer)
        extractedPage = try c.decodeIfPresent(Int.self, forKey: .extractedPage)
        lexicalPage = try c.decode(Int.self, forKey: .lexicalPage)
        let s = try decoder.container(keyedBy: Scores.CodingKeys.self)
        scores = s.contains(.anls) ? try Scores(from: decoder) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(questionId, forKey: .questionId)
        try c.encode(docId, forKey: .docId)
        try c.encode(pageCount, forKey: .pageCount)
        try c.encode(answerSource, forKey: .answerSource)
        try c.encode(answer, forKey: .answer)
        try c.encode(answerPage, forKey: .answerPage)
        try c.encode(generatedAnswer, forKey: .generatedAnswer)
        try c.encode(pageHeadPage, forKey: .pageHeadPage)
        try c.encode(pageScores, forKey: .pageScores)
        try c.encode(attentionPage, forKey: .attentionPage)
        try c.encode(attentionPageScores, forKey: .attentionPageScores)
        try c.encodeIfPresent(extractedAnswer, forKey: .extractedAnswer)
        try c.encodeIfPresent(extractedPage, forKey: .extractedPage)
        try c.encode(lexicalPage, forKey: .lexicalPage)
        try scores?.encode(to: encoder)
    }
}
