import Foundation
import DocData

/// Metrics of one question (a row of `predictions.jsonl`).
public struct QuestionScore: Codable, Equatable, Sendable {
    public var questionId: Int
    public var anls: Double
    public var accuracy: Double
    /// 1 when the predicted page is the answer page.
    public var pageCorrect: Double
    /// 1 when the answer page is among the 3 best page scores; nil without scores.
    public var top3: Double?
    public var pageCount: Int
    public var answerPageIndex: Int

    enum CodingKeys: String, CodingKey {
        case questionId, anls, accuracy, pageCount = "page_count", answerPageIndex = "answer_page_idx"
        case pageCorrect = "page_correct", top3 = "top3_page_correct"
    }
}

/// Means of the metrics over a group of questions.
public struct MetricSummary: Codable, Equatable, Sendable {
    public var questions: Int
    public var anls: Double
    public var accuracy: Double
    public var pageAccuracy: Double
    public var top3PageAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case questions, anls, accuracy, pageAccuracy = "page_accuracy", top3PageAccuracy = "top3_page_accuracy"
    }

    public init(_ rows: [QuestionScore]) {
        let n = Double(max(rows.count, 1))
        questions = rows.count
        anls = rows.reduce(0) { $0 + $1.anls } / n
        accuracy = rows.reduce(0) { $0 + $1.accuracy } / n
        pageAccuracy = rows.reduce(0) { $0 + $1.pageCorrect } / n
        let top3 = rows.compactMap(\.top3)
        top3PageAccuracy = top3.count == rows.count && !rows.isEmpty ? top3.reduce(0, +) / n : nil
    }
}

/// A scored submission: overall means, breakdowns and per-question rows.
public struct ScoreReport: Codable, Equatable, Sendable {
    public var overall: MetricSummary
    /// `"page_count"` → {"1", "2-5", "6-10", "11-20"}; `"answer_page"` → {"1", "2", "3-5", "6-10", "11-20"} (1-based).
    public var breakdowns: [String: [String: MetricSummary]]
    public var rows: [QuestionScore]
}

/// Scores answers and pages against gold questions (README "Metrics").
public enum Scorer {
    /// Page-count buckets of the breakdown.
    public static func pageCountBucket(_ n: Int) -> String {
        switch n { case ...1: "1"; case 2...5: "2-5"; case 6...10: "6-10"; default: "11-20" }
    }

    /// 1-based answer-page position buckets of the breakdown.
    public static func positionBucket(_ index: Int) -> String {
        switch index { case ...0: "1"; case 1: "2"; case 2...4: "3-5"; case 5...9: "6-10"; default: "11-20" }
    }

    /// Scores one question.
    public static func score(_ q: Question, _ p: SubmissionEntry) -> QuestionScore {
        let golds = q.answers ?? []
        let answerPage = q.answerPageIndex ?? -1
        var top3: Double? = nil
        if let scores = p.pageScores {
            let ranked = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            top3 = ranked.prefix(3).contains(answerPage) ? 1 : 0
        }
        return QuestionScore(questionId: q.questionId,
                             anls: AnswerMetrics.anls(prediction: p.answer, golds: golds),
                             accuracy: AnswerMetrics.exactMatch(prediction: p.answer, golds: golds),
                             pageCorrect: p.answerPage == answerPage ? 1 : 0, top3: top3,
                             pageCount: q.pageIds.count, answerPageIndex: answerPage)
    }

    /// Scores a whole submission. Every gold question must be answered exactly once and no
    /// other id may appear; golds must carry answers (not the test split).
    public static func score(gold: [Question], predictions: [SubmissionEntry],
                             goldFile: String = "gold", predictionsFile: String = "predictions") throws -> ScoreReport {
        var byId: [Int: SubmissionEntry] = [:]
        var duplicates: [Int] = []
        for p in predictions {
            if byId.updateValue(p, forKey: p.questionId) != nil { duplicates.append(p.questionId) }
        }
        if !duplicates.isEmpty {
            throw DataError(file: predictionsFile, field: "questionId", "\(duplicates.count) question ids answered more than once: \(listed(duplicates))")
        }
        let goldIds = Set(gold.map(\.questionId))
        let missing = gold.map(\.questionId).filter { byId[$0] == nil }
        if !missing.isEmpty {
            throw DataError(file: predictionsFile, field: "questionId", "\(missing.count) questions of \(goldFile) have no prediction: \(listed(missing))")
        }
        let extra = predictions.map(\.questionId).filter { !goldIds.contains($0) }
        if !extra.isEmpty {
            throw DataError(file: predictionsFile, field: "questionId", "\(extra.count) predicted question ids are not in \(goldFile): \(listed(extra))")
        }
        if let q = gold.first(where: { $0.answers == nil || $0.answerPageIndex == nil }) {
            throw DataError(file: goldFile, record: "questionId \(q.questionId)", field: "answers",
                            "gold questions need answers and answer_page_idx (the test split has none)")
        }
        var pairs: [(Question, SubmissionEntry)] = []
        for q in gold {
            guard let p = byId[q.questionId] else { continue }  // every gold id is answered (checked above)
            let n = q.pageIds.count
            guard (0..<n).contains(p.answerPage) else {
                throw DataError(file: predictionsFile, record: "questionId \(q.questionId)", field: "answer_page",
                                "\(p.answerPage) is outside the document's \(n) page\(n == 1 ? "" : "s") (expected 0…\(n - 1))")
            }
            if let scores = p.pageScores {
                guard scores.count == n else {
                    throw DataError(file: predictionsFile, record: "questionId \(q.questionId)", field: "page_scores",
                                    "\(scores.count) score\(scores.count == 1 ? "" : "s") for a \(n)-page document (expected one per page)")
                }
                if let bad = scores.firstIndex(where: { !$0.isFinite }) {
                    throw DataError(file: predictionsFile, record: "questionId \(q.questionId)", field: "page_scores",
                                    "entry \(bad) is \(scores[bad]); expected finite numbers")
                }
            }
            pairs.append((q, p))
        }
        let rows = pairs.map { score($0.0, $0.1) }
        let byCount = Dictionary(grouping: rows) { pageCountBucket($0.pageCount) }.mapValues(MetricSummary.init)
        let byPosition = Dictionary(grouping: rows) { positionBucket($0.answerPageIndex) }.mapValues(MetricSummary.init)
        return ScoreReport(overall: MetricSummary(rows), breakdowns: ["page_count": byCount, "answer_page": byPosition], rows: rows)
    }

    private static func listed(_ ids: [Int]) -> String {
        ids.prefix(10).map(String.init).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
    }
}
