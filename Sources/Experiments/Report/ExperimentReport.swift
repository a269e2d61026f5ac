import Charts
import Foundation
import RunSupport
import TensorCore
import Training

/// `notebooks-md/<name>.md` and its charts in `notebooks-md/<name>/` (README "Experiments"):
/// what ran; per evaluated split (test leads when present, val beside it) the results table —
/// each head's page accuracy and each answer kind's ANLS and accuracy in its own column,
/// mean over seeds ± the 95% t-interval, the submitted kind in bold — and the trivial
/// baselines; breakdowns by page count and answer-page position; paired comparisons of
/// every cell with the base (seed-averaged questions, document-clustered bootstrap
/// intervals, the minimum detectable effect); the cost table; bars, the paired differences'
/// forest plot, learning curves and the answer × page matrix. The charts depend only on the
/// results, so the same results give byte-identical PNGs.
///
/// ```swift
/// let url = try ExperimentReport(plan: plan, results: results).write(to: URL(fileURLWithPath: "notebooks-md"))
/// ```
public struct ExperimentReport {
    public let plan: ExperimentPlan
    public let results: ExperimentResults

    public init(plan: ExperimentPlan, results: ExperimentResults) {
        self.plan = plan
        self.results = results
    }

    /// Writes the report and charts; returns the Markdown file's URL.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        try RunRecordCheck.verify(results)
        let name = plan.manifest.name
        let chartDir = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: chartDir, withIntermediateDirectories: true)
        var md: [String] = ["# \(name)", ""]
        md += whatRan()
        if let analysis = try? String(contentsOf: analysisFile, encoding: .utf8) {
            md += ["", "## Analysis", "", "(written by hand in `\(analysisFile.relativePath)`, next to the manifest)", "",
                   analysis.trimmingCharacters(in: .whitespacesAndNewlines)]
        }
        md += try body(chartDirectory: chartDir, name: name)
        let url = directory.appendingPathComponent("\(name).md")
        try AtomicFile.write(md.joined(separator: "\n") + "\n", to: url)
        return url
    }

    /// Everything after "what ran" and the analysis; writes the charts into `chartDirectory`.
    func body(chartDirectory chartDir: URL, name: String) throws -> [String] {
        guard let lead = results.leadSplit else { return ["", "No evaluated runs yet."] }
        var md: [String] = []
        let others = results.splits.dropFirst()
        md += ["", "Scored on \(lead)" + (others.isEmpty ? "" : " (leading), with \(others.joined(separator: ", ")) beside it") + "."]
        for split in results.splits {
            md += ["", "## Results: \(split) (mean over seeds ± 95% t-interval)", ""] + resultsTable(split) + [""] + baselineTable(split)
        }
        for (title, kind, order) in [("page count", "page_count", ["1", "2-5", "6-10", "11-20"]),
                                     ("answer-page position", "answer_page", ["1", "2", "3-5", "6-10", "11-20"])] {
            md += ["", "## By \(title) (\(lead); ANLS / page accuracy, mean over seeds)", ""] + breakdown(kind, order, split: lead)
        }
        var leadComparisons: [PairedComparison] = []
        for split in results.splits {
            let comparisons = try results.comparisons(split: split)
            if split == lead { leadComparisons = comparisons }
            md += ["", "## Paired comparisons: \(split)", ""] + pairedTable(comparisons)
        }
        md += ["", "## Cost (\(lead))", ""] + costTable(split: lead)
        md += ["", "## Charts", ""]
        try bars(split: lead).render().writePNG(to: chartDir.appendingPathComponent("metrics.png"))
        md += ["Per-cell metrics on \(lead) (bars: mean over seeds; whiskers: ± one standard deviation over seeds):", "",
               "![metrics](\(name)/metrics.png)", ""]
        if let forest = differences(leadComparisons, split: lead) {
            try forest.render().writePNG(to: chartDir.appendingPathComponent("paired-differences.png"))
            md += ["Paired differences, each cell against its base, on \(lead) (dot: mean difference of seed-averaged questions; "
                   + "bar: 95% document-clustered bootstrap interval; a bar crossing the vertical line at 0 is no detected difference):", "",
                   "![paired differences](\(name)/paired-differences.png)", ""]
        }
        try curves().render().writePNG(to: chartDir.appendingPathComponent("learning-curves.png"))
        try matrix(split: lead).render().writePNG(to: chartDir.appendingPathComponent("answer-page-matrix.png"))
        md += ["Learning curves (validation ANLS of the submitted answers against training minutes, one line per seed; a cell trained on another run's encoder continues that run's curve):", "",
               "![learning curves](\(name)/learning-curves.png)", "",
               "Submitted answer correct (exact match) × its page correct on \(lead), all seeds pooled:", "",
               "![answer x page](\(name)/answer-page-matrix.png)"]
        return md
    }

    /// The hand-written analysis the report includes when it exists: the manifest's path
    /// with `.analysis.md` in place of `.yaml`.
    public var analysisFile: URL {
        plan.manifest.url.deletingPathExtension().appendingPathExtension("analysis.md")
    }

    // MARK: Sections

    func whatRan() -> [String] {
        let info = results.rows.first.flatMap { row -> RunInfo? in
            FileManager.default.contents(atPath: RunDirectory(row.directory).runInfo.path).flatMap { try? JSONDecoder().decode(RunInfo.self, from: $0) }
        }
        let commit = RunInfo.current(seed: 0).commit
        let evaluated = Set(results.rows.map { "\($0.cell)/\($0.seed)" }).count
        var lines = [
            "Written by `mpvqa report \(plan.manifest.url.relativePath)` on \(ISO8601DateFormatter().string(from: Date())).", "",
            "| | |", "|---|---|",
            "| manifest | `\(plan.manifest.url.relativePath)` |",
            "| cells, runs (cells × seeds) | \(plan.manifest.variants.count), \(plan.cellCount) (\(evaluated) evaluated) |",
            "| splits reported | \(results.splits.isEmpty ? "-" : results.splits.joined(separator: ", ")) |",
            "| commit (report / runs) | \(commit) / \(info?.commit ?? "-") |",
            "| machine | \(info?.machine ?? "-") |",
            "| BLAS kernel, threads | \(info?.blasKernel ?? BLASRuntime.kernelName), \(info?.threads ?? 0) |",
            "| toolchain | \(info?.toolchain ?? "-") |",
            "| runs | `\(plan.root.relativePath)` (results.csv, results.json) |",
        ]
        lines += ["", "<details><summary>manifest</summary>", "", "```yaml", plan.manifest.text.trimmingCharacters(in: .newlines), "```", "", "</details>"]
        return lines
    }

    /// `mean ± half-width` (one seed: the mean alone; nil: "-").
    static func format(_ s: SeedInterval?) -> String {
        guard let s else { return "-" }
        return s.halfWidth.map { String(format: "%.3f ± %.3f", s.mean, $0) } ?? String(format: "%.3f", s.mean)
    }

    /// One row per cell; one column per answer kind's ANLS and accuracy and per page scorer.
    /// The submitted kind's two columns are bold; a column never changes meaning between rows.
    func resultsTable(_ split: String) -> [String] {
        let columns = QuestionMetric.columns
        var lines = ["| cell | seeds | submitted | " + columns.map(\.name).joined(separator: " | ") + " |",
                     "|---|---|---|" + columns.map { _ in "---" }.joined(separator: "|") + "|"]
        for cell in results.cells {
            let runs = results.rows(cell, split: split)
            guard let first = runs.first else { continue }
            let submitted: Set<String> = first.answerSource == "extract" ? ["extracted_anls", "extracted_accuracy"] : ["generated_anls", "generated_accuracy"]
            let values = columns.map { m -> String in
                let text = Self.format(results.interval(cell, m, split: split))
                return submitted.contains(m.key) && text != "-" ? "**\(text)**" : text
            }
            lines.append("| \(cell) | \(runs.count) | \(first.answerSource == "extract" ? "extracted" : "generated") | " + values.joined(separator: " | ") + " |")
        }
        lines += ["", "Bold: the submitted answers (`eval.answer`), generated by the decoder and submitted with the page head's page, or "
                  + "extracted by the span head and submitted with the span's page. Page accuracy is each scorer's own: the page head, "
                  + "the span head's page (\"-\": the run does not extract; cached runs read summaries, not token states) and the "
                  + "zero-parameter decoder-attention scorer; top-3 ranks the page head's scores. ± is the half-width of the 95% "
                  + "Student-t interval over the seeds' means (t with seeds − 1 degrees of freedom; none for one seed)."]
        return lines
    }

    /// The systems without a model on `split`'s questions.
    func baselineTable(_ split: String) -> [String] {
        guard let b = results.rows.first(where: { $0.split == split })?.evaluation.baselines else { return [] }
        return ["| baseline (\(split)) | ANLS | accuracy | page accuracy |", "|---|---|---|---|",
                String(format: "| most frequent training answer | %.3f | %.3f | - |", b.mostFrequentAnswer.anls, b.mostFrequentAnswer.accuracy),
                String(format: "| always page 0 | - | - | %.3f |", b.page0PageAccuracy),
                String(format: "| most question words (lexical) | - | - | %.3f |", b.lexicalPageAccuracy),
                "", "Lexical: the page holding the most distinct question words in the question-match normal form (lower case, "
                + "letters and digits, one regular suffix removed, function words ignored); ties go to the earlier page."]
    }

    /// Per bucket, each answer kind's ANLS with its own page scorer's accuracy.
    func breakdown(_ kind: String, _ order: [String], split: String) -> [String] {
        func bucket(_ q: QuestionEvaluation) -> String? {
            guard let s = q.scores else { return nil }
            return kind == "page_count" ? Scorer.pageCountBucket(q.pageCount) : Scorer.positionBucket(s.answerPageIndex)
        }
        guard let sample = results.rows.first(where: { $0.split == split }) else { return ["(no breakdowns)"] }
        let counts = Dictionary(grouping: sample.questions.compactMap(bucket)) { $0 }.mapValues(\.count)
        let buckets = order.filter { counts[$0] != nil }
        var lines = ["| cell | answers | " + buckets.joined(separator: " | ") + " |", "|---|---|" + buckets.map { _ in "---" }.joined(separator: "|") + "|"]
        lines.append("| questions | | " + buckets.map { String(counts[$0]!) }.joined(separator: " | ") + " |")
        let kinds: [(String, QuestionMetric, QuestionMetric)] = [("generated / page head", .generatedANLS, .pageHead),
                                                                 ("extracted / span head", .extractedANLS, .spanHead)]
        for cell in results.cells {
            let runs = results.rows(cell, split: split)
            for (label, anls, page) in kinds {
                var sums: [String: (a: Double, p: Double, n: Double)] = [:]
                var complete = !runs.isEmpty
                for run in runs {
                    for q in run.questions {
                        guard let b = bucket(q), let s = q.scores, let a = anls.value(s), let p = page.value(s) else { complete = false; continue }
                        let old = sums[b] ?? (0, 0, 0)
                        sums[b] = (old.a + a, old.p + p, old.n + 1)
                    }
                }
                guard complete else { continue }
                let cells = buckets.map { b in sums[b].map { String(format: "%.3f / %.3f", $0.a / $0.n, $0.p / $0.n) } ?? "-" }
                lines.append("| \(cell) | \(label) | " + cells.joined(separator: " | ") + " |")
            }
        }
        return lines
    }

    /// Every cell against its base, one row per metric both produce.
    func pairedTable(_ comparisons: [PairedComparison]) -> [String] {
        guard results.cells.count > 1 else { return ["(one cell)"] }
        guard !comparisons.isEmpty else { return ["(no metric both the base and another cell produce)"] }
        var lines = ["| cell | base | metric | questions (documents) | base value | cell value | Δ (cell − base) | 95% interval | questions better / worse | verdict |",
                     "|---|---|---|---|---|---|---|---|---|---|"]
        for c in comparisons {
            let d = c.difference
            let verdict: String
            switch c.verdict {
            case .higher: verdict = "higher"
            case .lower: verdict = "lower"
            // No "|" here: it would split the Markdown table cell.
            case .noDifference: verdict = String(format: "no difference detected; smallest detectable ±%.3f", c.minimumDetectableEffect)
            }
            lines.append("| \(c.cell) | \(c.base) | \(c.metric) | \(d.observations) (\(d.clusters)) | " + String(format: "%.3f | %.3f | %+.3f | [%+.3f, %+.3f]", c.baseMean, c.cellMean, d.estimate, d.lower, d.upper)
                         + " | \(c.better) / \(c.worse) | \(verdict) |")
        }
        let b = ExperimentResults.bootstrap
        lines += ["", "Each cell is compared with the cell that differs from it only in what the pair names (the manifest's `compare:` "
                  + "and `base:`, README \"Experiments\"). Each question's value is first averaged over the seeds of its cell (a question counts once, however many seeds ran); "
                  + "Δ is the mean over questions of cell − base. The 95% interval is the expanded percentile interval (Hesterberg) of \(b.resamples) "
                  + "bootstrap resamples of documents (a document's questions are resampled together, since they share pages and errors; seed \(b.seed)). "
                  + String(format: "\"Smallest detectable\" is the minimum detectable effect (z₀.₉₇₅ + z₀.₈₀) × SE = %.2f × SE, ", PairedComparison.detectableEffectFactor)
                  + "SE the standard deviation of the resampled Δ: the true difference a two-sided 5% test finds with 80% power. "
                  + "The interval treats the trained seeds as fixed; the results table's t-intervals show how much each cell moves between seeds. "
                  + "Each interval holds for its own row (no correction for the number of rows): among many rows without a real difference, "
                  + "about one in twenty is expected to look different."]
        return lines
    }

    func costTable(split: String) -> [String] {
        var lines = ["| cell | mode | encoder passes / question | s / question (eval) | training minutes | steps |", "|---|---|---|---|---|---|"]
        for cell in results.cells {
            let mode = results.rows(cell, split: split).first?.mode ?? "-"
            lines.append("| \(cell) | \(mode) | " + ["encoder_passes_per_question", "seconds_per_question", "train_minutes", "train_steps"]
                .map { key -> String in
                    guard let s = results.costInterval(cell, key, split: split) else { return "-" }
                    return key == "train_steps" || key == "encoder_passes_per_question" ? String(format: "%.0f", s.mean)
                        : key == "seconds_per_question" ? String(format: "%.3f", s.mean) : String(format: "%.1f", s.mean)
                }.joined(separator: " | ") + " |")
        }
        lines += ["", "Encoder passes: every page of a question is encoded once (twice with the page probe). Training minutes of a cached "
                  + "cell exclude its encoder run's and the building of its feature caches."]
        return lines
    }

    // MARK: Charts

    func bars(split: String) -> BarChart {
        let series = QuestionMetric.compared.filter { m in results.cells.contains { results.interval($0, m, split: split) != nil } }
        return BarChart(title: "\(plan.manifest.name): \(split) metrics by cell", xLabel: "cell", yLabel: "score", groups: results.cells,
                        series: series.map { m in
                            BarChart.Series(name: m.name, values: results.cells.map { results.interval($0, m, split: split)?.mean ?? .nan },
                                            errors: results.cells.map { results.interval($0, m, split: split)?.standardDeviation ?? 0 })
                        }, yRange: 0...1)
    }

    /// The forest plot of `comparisons`: one row per pair (`cell vs base`), one interval per
    /// metric; nil without comparisons.
    func differences(_ comparisons: [PairedComparison], split: String) -> IntervalChart? {
        guard !comparisons.isEmpty else { return nil }
        // The base by what differs: "summarizer=pointer,pooling=max vs pooling=attention".
        let label = { (pair: ComparisonPair) -> String in
            let own = Set(pair.cell.split(separator: ","))
            let differing = pair.base.split(separator: ",").filter { !own.contains($0) }
            return "\(pair.cell) vs \(differing.isEmpty ? pair.base : differing.joined(separator: ","))"
        }
        let pairs = results.pairs.filter { p in comparisons.contains { $0.cell == p.cell && $0.base == p.base } }
        let groups = pairs.map(label)
        let metrics = QuestionMetric.compared.map(\.name).filter { name in comparisons.contains { $0.metric == name } }
        let intervals = comparisons.compactMap { c -> IntervalChart.Interval? in
            guard let g = groups.firstIndex(of: label(ComparisonPair(cell: c.cell, base: c.base))), let s = metrics.firstIndex(of: c.metric) else { return nil }
            return .init(group: g, series: s, estimate: c.difference.estimate, lower: c.difference.lower, upper: c.difference.upper)
        }
        return IntervalChart(title: "\(plan.manifest.name): paired differences, cell - base (\(split))",
                             xLabel: "cell - base (95% document-bootstrap interval)", groups: groups, series: metrics, intervals: intervals)
    }

    /// `(minutes, dev ANLS)` of a run's validations (`metrics.jsonl`).
    static func validationCurve(_ dir: URL, key: String) -> [(Double, Double)] {
        guard let text = try? String(contentsOf: RunDirectory(dir).metrics, encoding: .utf8) else { return [] }
        var points: [(Double, Double)] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let y = (object[key] as? NSNumber)?.doubleValue, let x = (object["minutes"] as? NSNumber)?.doubleValue else { continue }
            points.append((x, y))
        }
        return points
    }

    /// One line per run; a cell trained on another run's encoder continues from where that
    /// run's curve ends (its minutes are added to the encoder's).
    func curves() -> LineChart {
        var lines: [LineChart.Line] = []
        // One line per run (the runs of one split: every split's rows share a run's curve).
        for row in results.rows where row.split == results.leadSplit {
            let key = row.answerSource == "extract" ? "dev_extracted_anls" : "dev_anls"
            var points = Self.validationCurve(row.directory, key: key)
            if let encoder = row.encoderRun, let last = Self.validationCurve(encoder, key: key).last {
                points = [last] + points.map { (last.0 + $0.0, $0.1) }
            }
            lines.append(.init(name: row.cell, colorIndex: results.cells.firstIndex(of: row.cell) ?? 0, points: points))
        }
        return LineChart(title: "\(plan.manifest.name): learning curves", xLabel: "training minutes",
                         yLabel: "dev ANLS (submitted answers)", lines: lines, yRange: 0...1)
    }

    /// Submitted answer right/wrong × its page right/wrong on `split`, all seeds pooled.
    func matrix(split: String) -> CountMatrixChart {
        var panels: [CountMatrixChart.Panel] = []
        for cell in results.cells {
            var counts = [[0, 0], [0, 0]]
            let runs = results.rows(cell, split: split)
            for run in runs {
                for q in run.questions {
                    guard let s = q.scores else { continue }
                    counts[s.accuracy > 0.5 ? 0 : 1][s.pageCorrect > 0.5 ? 0 : 1] += 1
                }
            }
            let kind = runs.first.map { $0.answerSource == "extract" ? " (extracted)" : " (generated)" } ?? ""
            panels.append(.init(name: cell + kind, counts: counts))
        }
        return CountMatrixChart(title: "\(plan.manifest.name): submitted answer correct x page correct (\(split))", rowTitle: "answer", columnTitle: "page",
                                rowLabels: ["right", "wrong"], columnLabels: ["right", "wrong"], panels: panels)
    }
}
