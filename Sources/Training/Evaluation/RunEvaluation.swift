import DocData
import Foundation
import Models
import RunSupport
import TensorCore

/// `mpvqa eval`: answers a split with a trained run's best checkpoint and writes
/// `eval/<split>/metrics.json`, `predictions.jsonl` and the RRC `submission.json`.
/// On a split without answers (a released test split) only predictions and the submission are
/// written; a synthetic test split is scored against its gold file (`test_gold.json`).
public struct RunEvaluation {
    public let run: RunDirectory
    public let split: String
    public let beams: Int
    public let dataDirectory: URL

    public init(run: RunDirectory, split: String, beams: Int, dataDirectory: URL) {
        self.run = run
        self.split = split
        self.beams = beams
        self.dataDirectory = dataDirectory
    }

    /// The printed summary: metrics beside the baseline (nil metrics on splits without answers).
    public struct Summary {
        public var report: ScoreReport?
        /// Which answers `report` scores (`eval.answer`).
        public var answerSource: AnswerSource = .generate
        public var attentionScorer: MetricSummary?
        /// The other kind of answer, when the evaluator produced it: extracted when the
        /// generated ones are submitted, and vice versa.
        public var alternative: (source: AnswerSource, metrics: MetricSummary)?
        public var baseline: MetricSummary?
        /// What `metrics.json` holds for the report (nil on splits without answers).
        public var metrics: EvaluationMetrics?
        public var questions: Int
        public var secondsPerQuestion: Double
        public var pagesPerSecond: Double
        public var encoderPassesPerQuestion: Double
    }

    public func evaluate() throws -> Summary {
        let yaml = try String(contentsOf: run.config, encoding: .utf8)
        let settings = try RunSettings(ConfigDocument.parse(yaml, source: run.config.path).base)
        // One writer per run directory: an evaluation writes eval/<split>/, so a run still training is refused.
        try RunDirectoryLock.acquire(run.url)
        let checkpoint = FileManager.default.fileExists(atPath: run.bestCheckpoint.path) ? run.bestCheckpoint : run.latestCheckpoint
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw ConfigError(source: run.url.path, key: "--run", "no checkpoint in \(run.checkpoints.path); train first")
        }
        let preparation = RunPreparation(settings: settings, dataDirectory: dataDirectory)
        let tokenizer = try RunTokenizer.load(run.tokenizer, settings: settings)
        var rng = SeededRNG(seed: 0)
        let model = HiVT5(try preparation.modelConfiguration(tokenizer: tokenizer), rng: &rng)
        try TrainingCheckpoint.load(into: model, optimizer: nil, from: checkpoint)
        let layout = try preparation.dataset()
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let set = try QuestionSet.load(layout: layout, split: split, visual: preparation.visualPatches, threads: threads)
        let (builder, probe) = try preparation.batchBuilders(tokenizer: tokenizer)
        let evaluator = preparation.evaluator(model: model, tokenizer: tokenizer, builders: (builder, probe), beams: beams)
        let source = preparation.answerSource
        let started = Date()
        let features = try settings.mode.isCached
            ? CachedEvaluationFeatures.open(model: model, settings: settings, tokenizer: tokenizer, layout: layout, set: set) : nil
        let predictions = try features.map { try evaluator.predict(set.items, features: $0, progress: "eval \(split) (cached)") }
            ?? evaluator.predict(set.items, progress: "eval \(split)")
        let seconds = Date().timeIntervalSince(started)
        let pages = set.items.reduce(0) { $0 + $1.pages.count }
        let passes = features != nil ? 0.0 : settings.pageHead.probe ? 2.0 : 1.0  // cached: summaries read, no encoder pass

        let out = run.evaluation(split)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let submission = predictions.map { $0.submissionEntry(source) }

        var summary = Summary(report: nil, attentionScorer: nil, baseline: nil, questions: set.items.count,
                              secondsPerQuestion: seconds / Double(max(1, set.items.count)),
                              pagesPerSecond: Double(pages) * passes / max(seconds, 1e-9), encoderPassesPerQuestion: passes)
        var rows: [Int: QuestionScore] = [:]
        var scores: [Int: QuestionEvaluation.Scores] = [:]
        // An answerless split (test) is scored against its gold file when one is beside it.
        let hasAnswers = set.items.allSatisfy { !$0.answers.isEmpty && $0.answerPageIndex != nil }
        let goldSet = hasAnswers ? nil : try MPDocVQADataset.gold(layout: layout, split: split)
        let questions = try goldSet?.questions ?? MPDocVQADataset(layout: layout, split: split).questions
        let documents = Dictionary(questions.map { ($0.questionId, $0.docId) }, uniquingKeysWith: { a, _ in a })
        let lexicalPages = Dictionary(set.items.map { ($0.questionId, LexicalPageBaseline.page(for: $0)) }, uniquingKeysWith: { a, _ in a })
        let scored = hasAnswers || goldSet != nil
        if scored {
            let gold = questions
            let goldFile = goldSet == nil ? layout.questionFile(split) : DatasetLayout.goldFile(of: layout.questionFile(split))
            let report = try Scorer.score(gold: gold, predictions: submission, goldFile: goldFile)
            summary.report = report
            summary.answerSource = source
            if evaluator.extractSpans {
                let other: AnswerSource = source == .extract ? .generate : .extract
                summary.alternative = (other, try Scorer.score(gold: gold, predictions: predictions.map { $0.submissionEntry(other) }).overall)
            }
            let attention = try Scorer.score(gold: gold, predictions: predictions.map {
                SubmissionEntry(questionId: $0.questionId, answer: $0.answer, answerPage: $0.attentionPage) })
            summary.attentionScorer = attention.overall
            let train = try MPDocVQADataset(layout: layout, split: "train").questions
            let answer = Baselines.mostFrequentAnswer(train.map { BatchItem($0, pages: []) })
            let baseline = try Scorer.score(gold: gold, predictions: Baselines.submission(for: set.items, answer: answer))
            summary.baseline = baseline.overall
            rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.questionId, $0) })
            // Every head and kind scored on its own (README "Experiments": one column each).
            func byId(_ r: ScoreReport) -> [Int: QuestionScore] { Dictionary(uniqueKeysWithValues: r.rows.map { ($0.questionId, $0) }) }
            let generated = byId(try Scorer.score(gold: gold, predictions: predictions.map(\.submissionEntry)))
            let extracted = evaluator.extractSpans ? byId(try Scorer.score(gold: gold, predictions: predictions.map { $0.submissionEntry(.extract) })) : [:]
            let attentionRows = byId(attention), page0 = byId(baseline)
            let lexical = byId(try Scorer.score(gold: gold, predictions: predictions.map {
                SubmissionEntry(questionId: $0.questionId, answer: "", answerPage: lexicalPages[$0.questionId] ?? 0) }))
            for p in predictions {
                let id = p.questionId, r = rows[id]!, g = generated[id]!
                scores[id] = QuestionEvaluation.Scores(
                    answerPageIndex: r.answerPageIndex, anls: r.anls, accuracy: r.accuracy, pageCorrect: r.pageCorrect, top3PageCorrect: r.top3,
                    generatedANLS: g.anls, generatedAccuracy: g.accuracy, extractedANLS: extracted[id]?.anls, extractedAccuracy: extracted[id]?.accuracy,
                    pageHeadCorrect: g.pageCorrect, pageHeadTop3Correct: g.top3 ?? 0, spanPageCorrect: extracted[id]?.pageCorrect,
                    attentionPageCorrect: attentionRows[id]!.pageCorrect, lexicalPageCorrect: lexical[id]!.pageCorrect,
                    page0Correct: page0[id]!.pageCorrect)
            }
        }
        let evaluations = predictions.map { p -> QuestionEvaluation in
            let entry = p.submissionEntry(source)
            return QuestionEvaluation(questionId: p.questionId, docId: documents[p.questionId] ?? "", pageCount: p.pageScores.count,
                                      answerSource: source.rawValue, answer: entry.answer, answerPage: entry.answerPage,
                                      generatedAnswer: p.answer, pageHeadPage: p.page, pageScores: p.pageScores,
                                      attentionPage: p.attentionPage, attentionPageScores: p.attentionScores,
                                      extractedAnswer: p.extractedAnswer, extractedPage: p.extractedPage,
                                      lexicalPage: lexicalPages[p.questionId] ?? 0, scores: scores[p.questionId])
        }
        // Predictions before metrics.json: the plan takes metrics.json as the evaluation's completion
        // marker, so a run killed in between is evaluated again instead of left without predictions.
        let lineEncoder = JSONEncoder()
        lineEncoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(to: out.appendingPathComponent("predictions.jsonl")) { tmp in
            let lines = try JSONLinesWriter(tmp, truncate: true)
            for e in evaluations {
                try lines.write(try JSONSerialization.jsonObject(with: try lineEncoder.encode(e)) as! [String: Any])
            }
        }
        if scored, let report = summary.report, let baseline = summary.baseline {
            let evaluation = EvaluationMetrics(split: split, answerSource: source, rows: evaluations,
                                               mostFrequentAnswer: .init(anls: baseline.anls, accuracy: baseline.accuracy),
                                               secondsPerQuestion: summary.secondsPerQuestion, encoderPassesPerQuestion: passes)
            summary.metrics = evaluation
            var metrics: [String: Any] = try JSONSerialization.jsonObject(with: Data(ScoreText.json(report).utf8)) as! [String: Any]
            metrics["attention_scorer_page_accuracy"] = summary.attentionScorer!.pageAccuracy
            if let (other, m) = summary.alternative {
                metrics["\(other.rawValue)_anls"] = m.anls
                metrics["\(other.rawValue)_accuracy"] = m.accuracy
                metrics["\(other.rawValue)_page_accuracy"] = m.pageAccuracy
            }
            metrics["baseline_most_frequent_answer_anls"] = baseline.anls
            metrics["baseline_page0_page_accuracy"] = baseline.pageAccuracy
            metrics["pages_per_second"] = summary.pagesPerSecond
            metrics["checkpoint"] = checkpoint.lastPathComponent
            if let features { metrics["caches"] = features.records.map { ["role": $0.role, "file": $0.file, "key": $0.key ?? ""] } }
            // The typed metrics last: their keys (split, answer_source, …) win over the flat ones.
            let typed = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(evaluation)) as! [String: Any]
            metrics.merge(typed) { _, new in new }
            try AtomicFile.write(try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys]),
                                 to: out.appendingPathComponent("metrics.json"))
        }
        // The submission last: it marks the evaluation complete (`ExperimentPlan.evaluationIsDone`),
        // also on a split without gold answers, where no metrics.json is written.
        try AtomicFile.write(try encoder.encode(submission), to: out.appendingPathComponent("submission.json"))
        return summary
    }
}
