import Charts
import Foundation
import RunSupport
import TensorCore
import Training

/// `notebooks-md/<name>.md` and its charts in `notebooks-md/<name>/`: what ran, the results
/// table (mean ± std over seeds), breakdowns by page count and answer-page position, the cost
/// table, per-cell bars with seed error bars, learning curves, and the answer × page matrix.
/// The charts depend only on the results, so the same results give byte-identical PNGs.
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
        md += ["", "## Results (validation, mean ± std over seeds)", ""] + resultsTable()
        for (title, kind, order) in [("page count", "page_count", ["1", "2-5", "6-10", "11-20"]),
                                     ("answer-page position", "answer_page", ["1", "2", "3-5", "6-10", "11-20"])] {
            md += ["", "## By \(title) (submitted answers; ANLS / page accuracy, mean over seeds)", ""] + breakdown(kind, order)
        }
        md += ["", "## Paired comparison with \(results.cells.first ?? "-") (same seeds, same questions)", ""] + pairedTable()
        md += ["", "## Cost", ""] + costTable()
        md += ["", "## Charts", ""]
        if !results.rows.isEmpty {
            try bars().render().writePNG(to: chartDir.appendingPathComponent("metrics.png"))
            try curves().render().writePNG(to: chartDir.appendingPathComponent("learning-curves.png"))
            try matrix().render().writePNG(to: chartDir.appendingPathComponent("answer-page-matrix.png"))
            md += ["Per-cell metrics (bars: mean over seeds; whiskers: ± one standard deviation):", "",
                   "![metrics](\(name)/metrics.png)", "",
                   "Learning curves (validation ANLS of the submitted answers against training minutes, one line per seed; a cell trained on another run's encoder continues that run's curve):", "",
                   "![learning curves](\(name)/learning-curves.png)", "",
                   "Answer correct (exact match) × page correct, all seeds pooled:", "",
                   "![answer x page](\(name)/answer-page-matrix.png)"]
        } else {
            md.append("No evaluated runs yet.")
        }
        let url = directory.appendingPathComponent("\(name).md")
        try AtomicFile.write(md.joined(separator: "\n") + "\n", to: url)
        return url
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
        var lines = [
            "Written by `mpvqa report \(plan.manifest.url.relativePath)` on \(ISO8601DateFormatter().string(from: Date())).", "",
            "| | |", "|---|---|",
            "| manifest | `\(plan.manifest.url.relativePath)` |",
            "| cells, runs (cells × seeds) | \(plan.manifest.variants.count), \(plan.cellCount) (\(results.rows.count) evaluated) |",
            "| commit (report / runs) | \(commit) / \(info?.commit ?? "-") |",
            "| machine | \(info?.machine ?? "-") |",
            "| BLAS kernel, threads | \(info?.blasKernel ?? BLASRuntime.kernelName), \(info?.threads ?? 0) |",
            "| toolchain | \(info?.toolchain ?? "-") |",
            "| runs | `\(plan.root.relativePath)` (results.csv, results.json) |",
        ]
        lines += ["", "<details><summary>manifest</summary>", "", "```yaml", plan.manifest.text.trimmingCharacters(in: .newlines), "```", "", "</details>"]
        return lines
    }

    func pm(_ s: (mean: Double, std: Double, n: Int)) -> String {
        s.mean.isNaN ? "-" : s.n > 1 ? String(format: "%.3f ± %.3f", s.mean, s.std) : String(format: "%.3f", s.mean)
    }

    func resultsTable() -> [String] {
        var lines = ["| cell | seeds | submitted | generated ANLS | extracted ANLS | accuracy | page acc | top-3 |", "|---|---|---|---|---|---|---|---|"]
        for cell in results.cells {
            let n = results.rows.filter { $0.cell == cell }.count
            let source = results.rows.first { $0.cell == cell }.map { $0.answerSource == "extract" ? "extracted (span head's page)" : "generated (page head's page)" } ?? "-"
            lines.append("| \(cell) | \(n) | \(source) | " + ["generated_anls", "extracted_anls", "accuracy", "page_accuracy", "top3_page_accuracy"]
                .map { pm(results.stats(cell, $0)) }.joined(separator: " | ") + " |")
        }
        if let baseline = baselines() {
            lines.append(String(format: "| baselines | | | most-frequent answer %.3f | | | always page 0: %.3f | |", baseline.anls, baseline.page))
        }
        lines += ["", "Accuracy, page accuracy and top-3 are the submitted answers' (`eval.answer`): the span head's answer and page, or the "
                  + "decoder's answer with the page head's page (cached cells: the span head reads token states, which caches do not hold). "
                  + "Both answer kinds' ANLS are shown where the run has them."]
        return lines
    }

    func baselines() -> (anls: Double, page: Double)? {
        guard let row = results.rows.first,
              let data = FileManager.default.contents(atPath: RunDirectory(row.directory).evaluation("val").appendingPathComponent("metrics.json").path),
              let m = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let a = (m["baseline_most_frequent_answer_anls"] as? NSNumber)?.doubleValue,
              let p = (m["baseline_page0_page_accuracy"] as? NSNumber)?.doubleValue else { return nil }
        return (a, p)
    }

    func breakdown(_ kind: String, _ order: [String]) -> [String] {
        let buckets = order.filter { b in results.rows.contains { $0.breakdowns[kind]?[b] != nil } }
        guard !buckets.isEmpty else { return ["(no breakdowns)"] }
        var lines = ["| cell | " + buckets.joined(separator: " | ") + " |", "|---|" + buckets.map { _ in "---" }.joined(separator: "|") + "|"]
        let counts = buckets.map { b in results.rows.first.flatMap { $0.breakdowns[kind]?[b]?["questions"] }.map { String(Int($0)) } ?? "?" }
        lines.append("| questions | " + counts.joined(separator: " | ") + " |")
        for cell in results.cells {
            let rows = results.rows.filter { $0.cell == cell }
            let cells = buckets.map { b -> String in
                let values = rows.compactMap { $0.breakdowns[kind]?[b] }
                guard !values.isEmpty else { return "-" }
                let anls = values.compactMap { $0["anls"] }.reduce(0, +) / Double(values.count)
                let page = values.compactMap { $0["page_accuracy"] }.reduce(0, +) / Double(values.count)
                return String(format: "%.3f / %.3f", anls, page)
            }
            lines.append("| \(cell) | " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// Per-question `anls` and `page_correct` of a run's predictions, by question id.
    static func perQuestion(_ dir: URL) -> [Int: (anls: Double, page: Double)] {
        let url = RunDirectory(dir).evaluation("val").appendingPathComponent("predictions.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var out: [Int: (anls: Double, page: Double)] = [:]
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = (o["questionId"] as? NSNumber)?.intValue, let a = (o["anls"] as? NSNumber)?.doubleValue,
                  let p = (o["page_correct"] as? NSNumber)?.doubleValue else { continue }
            out[id] = (a, p)
        }
        return out
    }

    /// Every cell against the first: the mean per-question difference over (seed, question)
    /// pairs both answered, its standard error, and how many questions got better or worse —
    /// a paired view that the seed spread of the means hides.
    func pairedTable() -> [String] {
        guard let reference = results.cells.first, results.cells.count > 1 else { return ["(one cell)"] }
        var lines = ["| cell | pairs | Δ ANLS (± s.e.) | better / worse | Δ page acc (± s.e.) | better / worse |", "|---|---|---|---|---|---|"]
        let referenceRuns = Dictionary(results.rows.filter { $0.cell == reference }.map { ($0.seed, Self.perQuestion($0.directory)) }, uniquingKeysWith: { a, _ in a })
        for cell in results.cells.dropFirst() {
            var dA: [Double] = [], dP: [Double] = []
            for row in results.rows where row.cell == cell {
                guard let ref = referenceRuns[row.seed] else { continue }
                for (id, v) in Self.perQuestion(row.directory).sorted(by: { $0.key < $1.key }) {
                    guard let r = ref[id] else { continue }
                    dA.append(v.anls - r.anls)
                    dP.append(v.page - r.page)
                }
            }
            func summary(_ d: [Double]) -> String {
                guard d.count > 1 else { return "-" }
                let mean = d.reduce(0, +) / Double(d.count)
                let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count - 1)).squareRoot()
                return String(format: "%+.3f ± %.3f", mean, sd / Double(d.count).squareRoot())
            }
            func counts(_ d: [Double]) -> String { "\(d.filter { $0 > 1e-9 }.count) / \(d.filter { $0 < -1e-9 }.count)" }
            lines.append("| \(cell) | \(dA.count) | \(summary(dA)) | \(counts(dA)) | \(summary(dP)) | \(counts(dP)) |")
        }
        lines += ["", "Differences of the submitted answers' per-question ANLS and page correctness (cell − \(reference)); "
                  + "a difference of about two standard errors or more is unlikely to be question sampling alone."]
        return lines
    }

    func costTable() -> [String] {
        var lines = ["| cell | mode | encoder passes / question | s / question (eval) | training minutes | steps |", "|---|---|---|---|---|---|"]
        for cell in results.cells {
            let mode = results.rows.first { $0.cell == cell }?.mode ?? "-"
            lines.append("| \(cell) | \(mode) | " + ["encoder_passes_per_question", "seconds_per_question", "train_minutes", "train_steps"]
                .map { key -> String in
                    let s = results.stats(cell, key)
                    return s.mean.isNaN ? "-" : key == "train_steps" || key == "encoder_passes_per_question" ? String(format: "%.0f", s.mean)
                        : key == "seconds_per_question" ? String(format: "%.3f", s.mean) : String(format: "%.1f", s.mean)
                }.joined(separator: " | ") + " |")
        }
        lines += ["", "Encoder passes: every page of a question is encoded once (twice with the page probe). Training minutes of a cached "
                  + "cell exclude its encoder run's and the building of its feature caches."]
        return lines
    }

    // MARK: Charts

    func bars() -> BarChart {
        let series: [(String, String)] = [("generated ANLS", "generated_anls"), ("extracted ANLS", "extracted_anls"), ("accuracy", "accuracy"),
                                          ("page acc", "page_accuracy"), ("top-3", "top3_page_accuracy")]
        let present = series.filter { s in results.cells.contains { !results.stats($0, s.1).mean.isNaN } }
        return BarChart(title: "\(plan.manifest.name): validation metrics by cell", xLabel: "cell", yLabel: "score", groups: results.cells,
                        series: present.map { s in
                            BarChart.Series(name: s.0, values: results.cells.map { results.stats($0, s.1).mean },
                                            errors: results.cells.map { results.stats($0, s.1).std })
                        }, yRange: 0...1)
    }

    /// `(minutes, val ANLS)` of a run's validations (`metrics.jsonl`).
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
        for row in results.rows {
            let key = row.answerSource == "extract" ? "val_extracted_anls" : "val_anls"
            var points = Self.validationCurve(row.directory, key: key)
            if let encoder = row.encoderRun, let last = Self.validationCurve(encoder, key: key).last {
                points = [last] + points.map { (last.0 + $0.0, $0.1) }
            }
            lines.append(.init(name: row.cell, colorIndex: results.cells.firstIndex(of: row.cell) ?? 0, points: points))
        }
        return LineChart(title: "\(plan.manifest.name): learning curves", xLabel: "training minutes",
                         yLabel: "val ANLS (submitted answers)", lines: lines, yRange: 0...1)
    }

    func matrix() -> CountMatrixChart {
        var panels: [CountMatrixChart.Panel] = []
        for cell in results.cells {
            var counts = [[0, 0], [0, 0]]
            for row in results.rows where row.cell == cell {
                let url = RunDirectory(row.directory).evaluation("val").appendingPathComponent("predictions.jsonl")
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                for line in text.split(separator: "\n") {
                    guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          let a = (o["accuracy"] as? NSNumber)?.doubleValue, let p = (o["page_correct"] as? NSNumber)?.doubleValue else { continue }
                    counts[a > 0.5 ? 0 : 1][p > 0.5 ? 0 : 1] += 1
                }
            }
            panels.append(.init(name: cell, counts: counts))
        }
        return CountMatrixChart(title: "\(plan.manifest.name): answer correct x page correct", rowTitle: "answer", columnTitle: "page",
                                rowLabels: ["right", "wrong"], columnLabels: ["right", "wrong"], panels: panels)
    }
}
