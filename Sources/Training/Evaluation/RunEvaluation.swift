import DocData
import Foundation
import Models
import RunSupport
import TensorCore

/// `mpvqa eval`: answers a split with a trained run's best checkpoint and writes
/// `eval/<split>/metrics.json`, `predictions.jsonl` and the RRC `submission.json`.
/// On a split without answers (test) only predictions and the submission are written.
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
        let tokenizer = try BPETokenizer(contentsOf: run.tokenizer)
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
        let features = try settings.train.mode == .cached
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
        try AtomicFile.write(try encoder.encode(submission), to: out.appendingPathComponent("submission.json"))

        var summary = Summary(report: nil, attentionScorer: nil, baseline: nil, questions: set.items.count,
                              secondsPerQuestion: seconds / Double(max(1, set.items.count)),
                              pagesPerSecond: Double(pages) * passes / max(seconds, 1e-9), encoderPassesPerQuestion: passes)
        var rows: [Int: QuestionScore] = [:]
        let hasAnswers = set.items.allSatisfy { !$0.answers.isEmpty && $0.answerPageIndex != nil }
        if hasAnswers {
            let gold = try MPDocVQADataset(layout: layout, split: split).questions
            let report = try Scorer.score(gold: gold, predictions: submission, goldFile: layout.questionFile(split))
            summary.report = report
            summary.answerSource = source
            if evaluator.extractSpans {
                let other: AnswerSource = source == .extract ? .generate : .extract
                summary.alternative = (other, try Scorer.score(gold: gold, predictions: predictions.map { $0.submissionEntry(other) }).overall)
            }
            summary.attentionScorer = try Scorer.score(gold: gold, predictions: predictions.map {
                SubmissionEntry(questionId: $0.questionId, answer: $0.answer, answerPage: $0.attentionPage) }).overall
            let train = try MPDocVQADataset(layout: layout, split: "train").questions
            let answer = Baselines.mostFrequentAnswer(train.map { BatchItem($0, pages: []) })
            summary.baseline = try Scorer.score(gold: gold, predictions: Baselines.submission(for: set.items, answer: answer)).overall
            rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.questionId, $0) })
            var metrics: [String: Any] = try JSONSerialization.jsonObject(with: Data(ScoreText.json(report).utf8)) as! [String: Any]
            metrics["attention_scorer_page_accuracy"] = summary.attentionScorer!.pageAccuracy
            metrics["answer_source"] = source.rawValue
            if let (other, m) = summary.alternative {
                metrics["\(other.rawValue)_anls"] = m.anls
                metrics["\(other.rawValue)_accuracy"] = m.accuracy
                metrics["\(other.rawValue)_page_accuracy"] = m.pageAccuracy
            }
            metrics["baseline_most_frequent_answer_anls"] = summary.baseline!.anls
            metrics["baseline_page0_page_accuracy"] = summary.baseline!.pageAccuracy
            metrics["seconds_per_question"] = summary.secondsPerQuestion
            metrics["pages_per_second"] = summary.pagesPerSecond
            metrics["encoder_passes_per_question"] = passes
            metrics["split"] = split
            metrics["checkpoint"] = checkpoint.lastPathComponent
            if let features { metrics["caches"] = features.records.map { ["role": $0.role, "file": $0.file, "key": $0.key ?? ""] } }
            try AtomicFile.write(try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys]),
                                 to: out.appendingPathComponent("metrics.json"))
        }
        try AtomicFile.write(to: out.appendingPathComponent("predictions.jsonl")) { tmp in
            let lines = try JSONLinesWriter(tmp, truncate: true)
            for p in predictions {
                let entry = p.submissionEntry(source)
                var row: [String: Any] = ["questionId": p.questionId, "answer": entry.answer, "answer_page": entry.answerPage,
                                          "generated_answer": p.answer, "page_head_page": p.page,
                                          "page_scores": p.pageScores, "attention_page": p.attentionPage,
                                          "attention_page_scores": p.attentionScores]
                if let a = p.extractedAnswer, let page = p.extractedPage { row["extracted_answer"] = a; row["extracted_page"] = page }
                if let r = rows[p.questionId] {
                    row["anls"] = r.anls; row["accuracy"] = r.accuracy; row["page_correct"] = r.pageCorrect
                    if let t = r.top3 { row["top3_page_correct"] = t }
                }
                try lines.write(row)
            }
        }
        return summary
    }
}
