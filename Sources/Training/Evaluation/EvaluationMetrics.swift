import Foundation

/// What `eval/<split>/metrics.json` holds for the report: every head's page accuracy and
/// every answer kind's scores under its own name, the submitted kind named, and the trivial
/// baselines (README "Experiments"). The file also keeps the older flat keys (`anls`,
/// `page_accuracy`, `breakdowns`, … of the submitted answers) for `mpvqa score` readers;
/// decoding reads only these fields, and a missing one is a decoding error, never NaN.
public struct EvaluationMetrics: Codable, Equatable, Sendable {
    /// ANLS and exact-match accuracy of one kind of answer.
    public struct AnswerScores: Codable, Equatable, Sendable {
        public var anls: Double
        public var accuracy: Double

        public init(anls: Double, accuracy: Double) {
            self.anls = anls
            self.accuracy = accuracy
        }
    }

    /// Page accuracy of each page scorer.
    public struct PageAccuracy: Codable, Equatable, Sendable {
        /// The page head (the page generated answers are submitted with).
        public var pageHead: Double
        /// The answer page among the page head's 3 best scores.
        public var pageHeadTop3: Double
        /// The page of the span head's best span (nil when the run does not extract).
        public var spanHead: Double?
        /// The zero-parameter decoder-attention scorer.
        public var decoderAttention: Double

        public init(pageHead: Double, pageHeadTop3: Double, spanHead: Double?, decoderAttention: Double) {
            self.pageHead = pageHead
            self.pageHeadTop3 = pageHeadTop3
            self.spanHead = spanHead
            self.decoderAttention = decoderAttention
        }

        enum CodingKeys: String, CodingKey {
            case pageHead = "page_head", pageHeadTop3 = "page_head_top3", spanHead = "span_head", decoderAttention = "decoder_attention"
        }
    }

    /// Systems without a model, scored on the same questions.
    public struct BaselineScores: Codable, Equatable, Sendable {
        /// The most frequent training answer, for every question.
        public var mostFrequentAnswer: AnswerScores
        /// Always page 0.
        public var page0PageAccuracy: Double
        /// The page with the most question words (``LexicalPageBaseline``).
        public var lexicalPageAccuracy: Double

        public init(mostFrequentAnswer: AnswerScores, page0PageAccuracy: Double, lexicalPageAccuracy: Double) {
            self.mostFrequentAnswer = mostFrequentAnswer
            self.page0PageAccuracy = page0PageAccuracy
            self.lexicalPageAccuracy = lexicalPageAccuracy
        }

        enum CodingKeys: String, CodingKey {
            case mostFrequentAnswer = "most_frequent_answer", page0PageAccuracy = "page0_page_accuracy", lexicalPageAccuracy = "lexical_page_accuracy"
        }
    }

    public var split: String
    /// The submitted kind (`eval.answer`): `generate` or `extract`.
    public var answerSource: String
    public var questions: Int
    public var generated: AnswerScores
    /// Nil when the run does not extract (cached runs: caches hold no token states).
    public var extracted: AnswerScores?
    public var pageAccuracyByScorer: PageAccuracy
    public var baselines: BaselineScores
    public var secondsPerQuestion: Double
    public var encoderPassesPerQuestion: Double

    public init(split: String, answerSource: String, questions: Int, generated: AnswerScores, extracted: AnswerScores?,
                pageAccuracyByScorer: PageAccuracy, baselines: BaselineScores, secondsPerQuestion: Double, encoderPassesPerQuestion: Double) {
        self.split = split
        self.answerSource = answerSource
        self.questions = questions
        self.generated = generated
        self.extracted = extracted
        self.pageAccuracyByScorer = pageAccuracyByScorer
        self.baselines = baselines
        self.secondsPerQuestion = secondsPerQuestion
        self.encoderPassesPerQuestion = encoderPassesPerQuestion
    }

    enum CodingKeys: String, CodingKey {
        case split, questions, generated, extracted, baselines
        case answerSource = "answer_source", pageAccuracyByScorer = "page_accuracy_by_scorer"
        case secondsPerQuestion = "seconds_per_question", encoderPassesPerQuestion = "encoder_passes_per_question"
    }

    /// The means of `rows`' per-question scores (every row must be scored).
    public init(split: String, answerSource: AnswerSource, rows: [QuestionEvaluation], mostFrequentAnswer: AnswerScores,
                secondsPerQuestion: Double, encoderPassesPerQuestion: Double) {
        let scores = rows.map { $0.scores! }
        let n = Double(max(1, scores.count))
        func mean(_ key: (QuestionEvaluation.Scores) -> Double) -> Double { scores.reduce(0) { $0 + key($1) } / n }
        func optionalMean(_ key: (QuestionEvaluation.Scores) -> Double?) -> Double? {
            let values = scores.compactMap(key)
            return values.count == scores.count && !scores.isEmpty ? values.reduce(0, +) / n : nil
        }
        let extractedANLS = optionalMean(\.extractedANLS), extractedAccuracy = optionalMean(\.extractedAccuracy)
        self.init(split: split, answerSource: answerSource.rawValue, questions: rows.count,
                  generated: AnswerScores(anls: mean(\.generatedANLS), accuracy: mean(\.generatedAccuracy)),
                  extracted: extractedANLS.flatMap { a in extractedAccuracy.map { AnswerScores(anls: a, accuracy: $0) } },
                  pageAccuracyByScorer: PageAccuracy(pageHead: mean(\.pageHeadCorrect), pageHeadTop3: mean(\.pageHeadTop3Correct),
                                                     spanHead: optionalMean(\.spanPageCorrect), decoderAttention: mean(\.attentionPageCorrect)),
                  baselines: BaselineScores(mostFrequentAnswer: mostFrequentAnswer, page0PageAccuracy: mean(\.page0Correct),
                                            lexicalPageAccuracy: mean(\.lexicalPageCorrect)),
                  secondsPerQuestion: secondsPerQuestion, encoderPassesPerQuestion: encoderPassesPerQuestion)
    }
}
