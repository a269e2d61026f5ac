import Experiments
import Foundation
import TensorCore
import Training
import XCTest

/// The report on a synthetic results fixture (no training): per-split tables that lead with
/// test, one column per head and answer kind, the paired comparison with its intervals and
/// "no difference" line, the forest chart, `results.json` as Codable, and refusals of
/// metrics files that lack a metric.
final class ExperimentReportTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    static let manifest = """
    name: fixture
    dataset: {synthetic: {train: 20, val: 8, test: 4, max_pages: 3}}
    train: {mode: cached, steps: 10, warmup_steps: 2}
    runs:
      - {name: e2e, set: {train.mode: end_to_end, train.steps: 50}}
    grid: {page_head.pooling: [max, mean]}
    seeds: [1, 2, 3]
    """

    func plan() throws -> ExperimentPlan {
        let url = work.appendingPathComponent("fixture.yaml")
        try Self.manifest.write(to: url, atomically: true, encoding: .utf8)
        return try ExperimentPlan(manifest: try Manifest.load(url), runsDirectory: work.appendingPathComponent("runs"),
                                  dataDirectory: work.appendingPathComponent("data"))
    }

    /// Page-head accuracy per cell: `pooling=mean` is far better than the base, `pooling=max` equal.
    static let pageHeadRate = ["e2e": 0.55, "pooling=max": 0.55, "pooling=mean": 0.85]

    /// Writes `eval/<split>/metrics.json` and `predictions.jsonl` for one run: 45 documents of
    /// 1–4 questions; the end-to-end cell extracts and submits extracted answers, the cached
    /// cells only generate.
    static func writeEvaluation(_ dir: URL, cell: String, seed: Int, split: String) throws {
        let out = dir.appendingPathComponent("eval/\(split)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var questionRNG = SeededRNG(seed: split == "test" ? 1 : 2)   // the same questions for every run
        var rng = SeededRNG(seed: UInt64(seed * 100_000 + cell.unicodeScalars.reduce(0) { $0 * 31 % 99_991 + Int($1.value) } + (split == "test" ? 0 : 50_000)))
        let extracts = cell == "e2e"
        var rows: [QuestionEvaluation] = []
        var id = 0
        for d in 0..<45 {
            let pages = 1 + questionRNG.nextInt(below: 10)
            let difficulty = questionRNG.nextUniform() * 0.3   // shared by a document's questions
            for _ in 0..<(1 + questionRNG.nextInt(below: 4)) {
                let gold = questionRNG.nextInt(below: pages)
                func hit(_ p: Double) -> Double { rng.nextUniform() < p - difficulty ? 1 : 0 }
                let head = hit(pageHeadRate[cell]! + 0.15), span = hit(0.85), attention = hit(0.5)
                let anls = hit(0.75), accuracy = min(anls, hit(0.8))
                let scores = QuestionEvaluation.Scores(
                    answerPageIndex: gold, anls: extracts ? hit(0.9) : anls, accuracy: extracts ? span : accuracy,
                    pageCorrect: extracts ? span : head, top3PageCorrect: extracts ? nil : max(head, hit(0.9)),
                    generatedANLS: anls, generatedAccuracy: accuracy, extractedANLS: extracts ? hit(0.9) : nil,
                    extractedAccuracy: extracts ? hit(0.8) : nil, pageHeadCorrect: head, pageHeadTop3Correct: max(head, hit(0.9)),
                    spanPageCorrect: extracts ? span : nil, attentionPageCorrect: attention, lexicalPageCorrect: gold == 0 ? 1 : 0,
                    page0Correct: gold == 0 ? 1 : 0)
                rows.append(QuestionEvaluation(questionId: id, docId: "doc\(d)", pageCount: pages, answerSource: extracts ? "extract" : "generate",
                                               answer: "a", answerPage: 0, generatedAnswer: "a", pageHeadPage: 0,
                                               pageScores: [Double](repeating: 0, count: pages), attentionPage: 0,
                                               attentionPageScores: [Double](repeating: 0, count: pages), extractedAnswer: extracts ? "a" : nil,
                                               extractedPage: extracts ? 0 : nil, lexicalPage: 0, scores: scores))
                id += 1
            }
        }
        let metrics = EvaluationMetrics(split: split, answerSource: extracts ? .extract : .generate, rows: rows,
                                        mostFrequentAnswer: .init(anls: 0.01, accuracy: 0), secondsPerQuestion: 0.05,
                                        encoderPassesPerQuestion: extracts ? 1 : 0)
        try JSONEncoder().encode(metrics).write(to: out.appendingPathComponent("metrics.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try rows.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n").appending("\n")
            .write(to: out.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        try CompletionMarker(steps: 50, minutes: 1.5, bestDevANLS: 0.5, bestStep: 50, mode: extracts ? "end_to_end" : "cached",
                             encoderRun: "", config: "", trainedConfig: "").write(to: dir)
    }

    func writeFixture(_ plan: ExperimentPlan, splits: [String]) throws {
        for step in plan.steps where step.kind == .eval {
            for split in splits { try Self.writeEvaluation(step.runDirectory!, cell: step.cell!, seed: step.seed!, split: split) }
        }
    }

    func testReportLeadsWithTestAndNamesEveryHeadAndKind() throws {
        let plan = try plan()
        try writeFixture(plan, splits: ["val", "test"])
        let results = try ExperimentResults.collect(plan: plan)
        XCTAssertEqual(results.splits, ["test", "val"])
        let notebooks = work.appendingPathComponent("notebooks")
        let report = try String(contentsOf: try ExperimentReport(plan: plan, results: results).write(to: notebooks), encoding: .utf8)
        let test = try XCTUnwrap(report.range(of: "## Results: test")), val = try XCTUnwrap(report.range(of: "## Results: val"))
        XCTAssertLessThan(test.lowerBound, val.lowerBound)
        XCTAssertTrue(report.contains("| cell | seeds | submitted | generated ANLS | generated accuracy | extracted ANLS | extracted accuracy | "
                                      + "page acc (page head) | top-3 (page head) | page acc (span head) | page acc (decoder attention) |"), report)
        // The submitted kind is bold in its own column; cached cells have no span head.
        let e2e = try XCTUnwrap(report.split(separator: "\n").first { $0.hasPrefix("| e2e | 3 | extracted |") })
        let cells = e2e.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        // (cells[0] is the cell name: `split` drops the empty piece before the first "|".)
        XCTAssertEqual(cells.count, 11, String(e2e))
        XCTAssertFalse(cells[3].hasPrefix("**"), String(e2e))
        XCTAssertTrue(cells[5].hasPrefix("**") && cells[6].hasPrefix("**"), String(e2e))
        XCTAssertTrue(cells[3].contains(" ± "), "three seeds give a t-interval: \(e2e)")
        let max = try XCTUnwrap(report.split(separator: "\n").first { $0.hasPrefix("| pooling=max | 3 | generated |") })
        let maxCells = max.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(maxCells.count, 11, String(max))
        XCTAssertTrue(maxCells[3].hasPrefix("**") && !maxCells[5].hasPrefix("**"), String(max))
        XCTAssertEqual(maxCells[5], "-")   // extracted ANLS
        XCTAssertEqual(maxCells[9], "-")   // span head
        XCTAssertTrue(report.contains("| most question words (lexical) | - | - |"), report)
        XCTAssertTrue(report.contains("| always page 0 | - | - |"), report)

        // The paired comparison: the large page-head effect is detected, the null one is not and says what it could have seen.
        let comparisons = try results.comparisons(split: "test")
        let mean = try XCTUnwrap(comparisons.first { $0.cell == "pooling=mean" && $0.metric == "page acc (page head)" })
        XCTAssertEqual(mean.verdict, .higher)
        XCTAssertEqual(mean.difference.clusters, 45)
        XCTAssertEqual(mean.baseSeeds, 3)
        let equal = try XCTUnwrap(comparisons.first { $0.cell == "pooling=max" && $0.metric == "page acc (page head)" })
        XCTAssertEqual(equal.verdict, .noDifference, "\(equal)")
        XCTAssertTrue(report.contains("| no difference detected; smallest detectable ±"), report)
        XCTAssertFalse(comparisons.contains { $0.metric == "extracted ANLS" }, "cached cells do not extract: nothing to pair")
        XCTAssertTrue(report.contains("## Paired comparisons: test"))
        XCTAssertTrue(report.contains("| pooling=max | e2e | "), "each row names its base")
        XCTAssertTrue(report.contains("## Paired comparisons: val"))

        // Every table row has as many cells as its header (a stray "|" would shift the columns).
        var columns: Int?
        for line in report.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let n = line.filter { $0 == "|" }.count
            if let columns { XCTAssertEqual(n, columns, String(line)) } else { columns = n }
        }
        for chart in ["metrics", "paired-differences", "learning-curves", "answer-page-matrix"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: notebooks.appendingPathComponent("fixture/\(chart).png").path), chart)
        }
        if let keep = ProcessInfo.processInfo.environment["MPVQA_KEEP_REPORT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: notebooks, to: URL(fileURLWithPath: keep))
        }
        // Same results, same chart bytes.
        let chart = try Data(contentsOf: notebooks.appendingPathComponent("fixture/paired-differences.png"))
        try ExperimentReport(plan: plan, results: try ExperimentResults.collect(plan: plan)).write(to: notebooks)
        XCTAssertEqual(try Data(contentsOf: notebooks.appendingPathComponent("fixture/paired-differences.png")), chart)

        // results.json is the Codable ResultsFile.
        try results.write(to: plan.root)
        let file = try JSONDecoder().decode(ResultsFile.self, from: Data(contentsOf: plan.root.appendingPathComponent("results.json")))
        XCTAssertEqual(file.splits, ["test", "val"])
        XCTAssertEqual(file.runs.count, 3 * 3 * 2)
        XCTAssertNotNil(file.cells.first { $0.cell == "e2e" && $0.split == "test" }?.metrics["span_head_page_accuracy"]?.halfWidth)
        XCTAssertNil(file.cells.first { $0.cell == "pooling=max" }?.metrics["span_head_page_accuracy"])
        XCTAssertEqual(file.pairedComparisons.first?.comparisons.count, comparisons.count)
        let csv = try String(contentsOf: plan.root.appendingPathComponent("results.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("cell,seed,split,mode,answer_source,generated_anls,"), csv)
    }

    /// Without a test evaluation the report leads with val; nothing says "test".
    func testValAloneLeads() throws {
        let plan = try plan()
        try writeFixture(plan, splits: ["val"])
        let results = try ExperimentResults.collect(plan: plan)
        XCTAssertEqual(results.splits, ["val"])
        let report = try String(contentsOf: try ExperimentReport(plan: plan, results: results).write(to: work), encoding: .utf8)
        XCTAssertTrue(report.contains("## Results: val"))
        XCTAssertFalse(report.contains("## Results: test"))
        XCTAssertEqual(try ExperimentResults.collect(plan: plan, splits: ["dev"]).rows.count, 0)
    }

    /// A metrics file without a metric the report needs is an error naming the file and key.
    func testMissingMetricIsAnError() throws {
        let plan = try plan()
        try writeFixture(plan, splits: ["val"])
        let dir = try XCTUnwrap(plan.steps.first { $0.kind == .eval }?.runDirectory)
        let url = dir.appendingPathComponent("eval/val/metrics.json")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var pages = try XCTUnwrap(object["page_accuracy_by_scorer"] as? [String: Any])
        pages["decoder_attention"] = nil
        object["page_accuracy_by_scorer"] = pages
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        XCTAssertThrowsError(try ExperimentResults.collect(plan: plan)) {
            XCTAssertTrue("\($0)".contains("metrics.json: page_accuracy_by_scorer.decoder_attention: missing"), "\($0)")
        }
    }
}
