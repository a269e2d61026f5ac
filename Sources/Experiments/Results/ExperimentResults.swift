import Foundation
import RunSupport
import Training

/// The results of a manifest's runs: one row per (cell, seed, split) from each run's
/// `eval/<split>/metrics.json` (``EvaluationMetrics``) and `predictions.jsonl`
/// (``QuestionEvaluation``, one per question), plus `complete.json`'s training cost.
/// Which splits are shown is data: `splits` lists those evaluated, in report order (test
/// first when present, val beside it). Written as `runs/<name>/results.csv` and
/// `results.json` (README "Experiments").
public struct ExperimentResults: Sendable {
    /// One evaluated run on one split.
    public struct Row: Sendable {
        public var cell: String
        public var seed: Int
        public var split: String
        public var directory: URL
        public var mode: String
        /// The run whose encoder a cached cell read.
        public var encoderRun: URL?
        public var evaluation: EvaluationMetrics
        /// Every question of the split, scored.
        public var questions: [QuestionEvaluation]
        public var trainMinutes: Double?
        public var trainSteps: Double?

        /// The submitted kind (`generate` or `extract`).
        public var answerSource: String { evaluation.answerSource }

        /// The mean of `metric` over the questions; nil when the run does not produce it.
        public func mean(_ metric: QuestionMetric) -> Double? {
            var sum = 0.0
            for q in questions {
                guard let v = q.scores.flatMap(metric.value) else { return nil }
                sum += v
            }
            return questions.isEmpty ? nil : sum / Double(questions.count)
        }

        /// Cost and size values by `results.csv` key.
        public var costs: [String: Double] {
            var out = ["seconds_per_question": evaluation.secondsPerQuestion, "encoder_passes_per_question": evaluation.encoderPassesPerQuestion,
                       "questions": Double(evaluation.questions)]
            if let trainMinutes { out["train_minutes"] = trainMinutes }
            if let trainSteps { out["train_steps"] = trainSteps }
            return out
        }
    }

    /// Splits a report shows, in order, when evaluated: the held-out test split leads, val
    /// beside it. The selection split (dev) is never reported: `best` was chosen on it.
    public static let reportedSplits = ["test", "val"]
    /// Cost columns of `results.csv`, after the metric columns.
    public static let costKeys = ["train_minutes", "train_steps", "seconds_per_question", "encoder_passes_per_question", "questions"]
    /// Bootstrap of the paired comparisons: 2000 document resamples, fixed seed (the same
    /// results give the same intervals).
    public static let bootstrap = ClusteredBootstrap(resamples: 2000, confidence: 0.95, seed: 20_24)

    public var rows: [Row]
    /// Cell names in manifest order.
    public var cells: [String]
    /// Evaluated splits in report order (a subset of the requested ones).
    public var splits: [String]
    /// The paired comparisons to make, each cell with its base (``ComparisonPair``).
    public var pairs: [ComparisonPair]

    /// `pairs` nil: every cell against the first.
    public init(rows: [Row], cells: [String], splits: [String], pairs: [ComparisonPair]? = nil) {
        self.rows = rows
        self.cells = cells
        self.splits = splits
        self.pairs = pairs ?? cells.dropFirst().map { ComparisonPair(cell: $0, base: cells[0]) }
    }

    /// The split the report leads with (nil when nothing is evaluated).
    public var leadSplit: String? { splits.first }

    /// Reads every evaluated run of the plan on each of `splits` (in that order); runs not yet
    /// evaluated on a split are left out of it. A metrics file that lacks a metric is an error.
    public static func collect(plan: ExperimentPlan, splits: [String] = reportedSplits) throws -> ExperimentResults {
        var rows: [Row] = []
        var cells: [String] = []
        for step in plan.steps where step.kind == .eval {
            guard let dir = step.runDirectory, let cell = step.cell, let seed = step.seed else { continue }
            if !cells.contains(cell) { cells.append(cell) }
            for split in splits {
                if let row = try read(dir, cell: cell, seed: seed, split: split) { rows.append(row) }
            }
        }
        return ExperimentResults(rows: rows, cells: cells, splits: splits.filter { s in rows.contains { $0.split == s } },
                                 pairs: plan.manifest.comparisons.filter { cells.contains($0.cell) && cells.contains($0.base) })
    }

    /// One run's results on `split`, nil when it has not been evaluated there.
    public static func read(_ dir: URL, cell: String, seed: Int, split: String) throws -> Row? {
        let folder = RunDirectory(dir).evaluation(split)
        let metricsURL = folder.appendingPathComponent("metrics.json")
        guard let data = FileManager.default.contents(atPath: metricsURL.path) else { return nil }
        let evaluation: EvaluationMetrics = try decode(data, from: metricsURL)
        let predictionsURL = folder.appendingPathComponent("predictions.jsonl")
        guard let text = try? String(contentsOf: predictionsURL, encoding: .utf8) else {
            throw ConfigError(source: predictionsURL.path, key: "", "missing: every evaluated run needs its per-question predictions (rerun `mpvqa eval`)")
        }
        var questions: [QuestionEvaluation] = []
        for (n, line) in text.split(separator: "\n").enumerated() {
            let q: QuestionEvaluation = try decode(Data(line.utf8), from: predictionsURL, line: n + 1)
            guard q.scores != nil else {
                throw ConfigError(source: "\(predictionsURL.path):\(n + 1)", key: "anls", "questionId \(q.questionId) is not scored")
            }
            questions.append(q)
        }
        guard questions.count == evaluation.questions else {
            throw ConfigError(source: predictionsURL.path, key: "", "\(questions.count) questions, but metrics.json says \(evaluation.questions)")
        }
        var row = Row(cell: cell, seed: seed, split: split, directory: dir, mode: "end_to_end", evaluation: evaluation, questions: questions)
        if let marker = try CompletionMarker.read(dir) {
            row.trainMinutes = marker.minutes
            row.trainSteps = Double(marker.steps)
            row.mode = marker.mode
            if !marker.encoderRun.isEmpty { row.encoderRun = URL(fileURLWithPath: marker.encoderRun) }
        }
        return row
    }

    /// Decodes `T`, naming the file (and line) and the missing key on failure.
    static func decode<T: Decodable>(_ data: Data, from url: URL, line: Int? = nil) throws -> T {
        let source = url.path + (line.map { ":\($0)" } ?? "")
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw ConfigError(source: source, key: path, "missing (written by an older `mpvqa eval`? rerun it)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw ConfigError(source: source, key: context.codingPath.map(\.stringValue).joined(separator: "."), "is null; expected a number")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ConfigError(source: source, key: context.codingPath.map(\.stringValue).joined(separator: "."), context.debugDescription)
        } catch {
            throw ConfigError(source: source, key: "", "not valid JSON: \(error)")
        }
    }

    /// The rows of `cell` on `split`, by seed.
    public func rows(_ cell: String, split: String) -> [Row] {
        rows.filter { $0.cell == cell && $0.split == split }.sorted { $0.seed < $1.seed }
    }

    /// The per-seed means of `metric` for `cell` on `split` with their t-interval; nil when
    /// no run of the cell produces it.
    public func interval(_ cell: String, _ metric: QuestionMetric, split: String) -> SeedInterval? {
        let values = rows(cell, split: split).compactMap { $0.mean(metric) }
        return values.isEmpty ? nil : SeedInterval(values)
    }

    /// Cost values (`costKeys`) of `cell` on `split` over its seeds.
    public func costInterval(_ cell: String, _ key: String, split: String) -> SeedInterval? {
        let values = rows(cell, split: split).compactMap { $0.costs[key] }
        return values.isEmpty ? nil : SeedInterval(values)
    }

    /// Every pair (cell against its base) on each compared metric both produce, on `split`.
    public func comparisons(split: String) throws -> [PairedComparison] {
        var out: [PairedComparison] = []
        for pair in pairs {
            let (cell, base) = (pair.cell, pair.base)
            for metric in QuestionMetric.compared {
                guard let b = observations(base, metric, split: split), let c = observations(cell, metric, split: split) else { continue }
                if let comparison = try PairedComparison.compare(metric: metric.name, base: (base, b), cell: (cell, c), bootstrap: Self.bootstrap) {
                    out.append(comparison)
                }
            }
        }
        return out
    }

    /// `metric` of every question of every seed of `cell` on `split`; nil when a run lacks it.
    func observations(_ cell: String, _ metric: QuestionMetric, split: String) -> [PairedComparison.Observation]? {
        let runs = rows(cell, split: split)
        guard !runs.isEmpty else { return nil }
        var out: [PairedComparison.Observation] = []
        for run in runs {
            for q in run.questions {
                guard let v = q.scores.flatMap(metric.value) else { return nil }
                out.append(.init(questionId: q.questionId, document: q.docId, seed: run.seed, value: v))
            }
        }
        return out
    }

    /// Writes `results.csv` (one line per run and split, then per cell and split the mean and
    /// the t-interval's half-width over seeds) and `results.json` (``ResultsFile``).
    public func write(to directory: URL) throws {
        let metricKeys = QuestionMetric.columns.map(\.key)
        var csv = ["cell,seed,split,mode,answer_source," + (metricKeys + Self.costKeys).joined(separator: ",")]
        for r in rows {
            csv.append("\(Self.csvField(r.cell)),\(r.seed),\(r.split),\(Self.csvField(r.mode)),\(r.answerSource),"
                       + (QuestionMetric.columns.map { Self.number(r.mean($0)) } + Self.costKeys.map { Self.number(r.costs[$0]) }).joined(separator: ","))
        }
        for split in splits {
            for cell in cells {
                let intervals = QuestionMetric.columns.map { interval(cell, $0, split: split) } + Self.costKeys.map { costInterval(cell, $0, split: split) }
                csv.append("\(Self.csvField(cell)),mean,\(split),,," + intervals.map { Self.number($0?.mean) }.joined(separator: ","))
                csv.append("\(Self.csvField(cell)),t95_half_width,\(split),,," + intervals.map { Self.number($0?.halfWidth) }.joined(separator: ","))
            }
        }
        try AtomicFile.write(csv.joined(separator: "\n") + "\n", to: directory.appendingPathComponent("results.csv"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(try ResultsFile(self)), to: directory.appendingPathComponent("results.json"))
    }

    static func number(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "" }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
