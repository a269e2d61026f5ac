import Experiments
import Foundation
import Training
import XCTest

/// The plan: dependency order, one encoder per encoder-side configuration (an end-to-end cell
/// when the manifest has one), one cache per (encoder, prompt, split), the probe cached on the
/// plain encoder or end to end as the cell says, and what is on disk reused or resumed.
final class ExperimentPlanTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("mpvqa-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    func plan(_ text: String, only: String? = nil) throws -> ExperimentPlan {
        let url = work.appendingPathComponent("p.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ExperimentPlan(manifest: try Manifest.load(url), runsDirectory: work.appendingPathComponent("runs"),
                                  dataDirectory: work.appendingPathComponent("data"), only: only)
    }

    static let manifest = """
    name: p
    dataset: {synthetic: {train: 20, val: 8, test: 4, max_pages: 3}}
    train: {mode: cached, steps: 10, warmup_steps: 2}
    runs:
      - {name: e2e, set: {train.mode: end_to_end, train.steps: 50}}
      - {name: probe-e2e, set: {train.mode: end_to_end, page_head.probe: true, train.steps: 50}}
    grid: {page_head.pooling: [max, mean], page_head.probe: [false, true]}
    seeds: [1, 2]
    """

    func testStepsInDependencyOrderWithSharedEncoderAndCaches() throws {
        let p = try plan(Self.manifest)
        let kinds = p.steps.map(\.kind)
        XCTAssertEqual(Array(kinds.prefix(2)), [.dataset, .tokenizer])
        // One encoder per seed, and it is the end-to-end cell of that seed (not a probe cell).
        let encoders = p.steps.filter { $0.kind == .encoder }
        XCTAssertEqual(encoders.map { $0.runDirectory!.path }, [1, 2].map { work.appendingPathComponent("runs/p/e2e/seed-\($0)").path })
        // Caches: (encoder, prompt, split) = 2 encoders × 2 prompts (the cached probe cells read the
        // probe prompt's too) × {train, dev (selection), test, val (scored)}.
        XCTAssertEqual(p.steps.filter { $0.kind == .cache }.count, 16)
        let lastEncoder = kinds.lastIndex(of: .encoder)!, firstCache = kinds.firstIndex(of: .cache)!, lastCache = kinds.lastIndex(of: .cache)!
        let firstTrain = kinds.firstIndex(of: .train)!
        XCTAssertLessThan(lastEncoder, firstCache)
        XCTAssertLessThan(lastCache, firstTrain)
        // Every (cell, seed) is evaluated once; the encoders are not trained a second time.
        XCTAssertEqual(p.steps.filter { $0.kind == .eval }.count, 6 * 2)
        XCTAssertEqual(p.steps.filter { $0.kind == .train }.count, 5 * 2)
        // Each cell trains in the mode it asks for: the end-to-end probe cell has no encoder run
        // (and is nobody's encoder: it learned the probe pass); every cached cell, the probe ones
        // included, reads the plain encoder of its seed.
        for step in p.steps where step.kind == .train {
            if step.cell == "probe-e2e" {
                XCTAssertNil(step.encoderRun)
                XCTAssertEqual(step.settings.mode, .endToEnd)
            } else {
                XCTAssertEqual(step.settings.mode, .cachedOnPlannedEncoder)
                XCTAssertEqual(step.encoderRun?.path, work.appendingPathComponent("runs/p/e2e/seed-\(step.seed!)").path)
            }
        }
        XCTAssertTrue(p.text.contains("estimated"))
        XCTAssertTrue(p.text.contains("[build  ] encoder"))
        // The first cached training of each encoder builds its caches and carries their time;
        // the other cached trainings of that encoder only read them.
        for seed in [1, 2] {
            let trainings = p.steps.filter { $0.kind == .train && $0.encoderRun != nil && $0.seed == seed }
            let caches = p.steps.filter { $0.kind == .cache && $0.encoderRun?.lastPathComponent == "seed-\(seed)" }
            XCTAssertEqual(caches.map(\.builtBy), Array(repeating: trainings[0].title, count: 8))
            XCTAssertEqual(caches.map(\.estimatedSeconds), Array(repeating: 0, count: 8))
            XCTAssertGreaterThan(trainings[0].estimatedSeconds, trainings[1].estimatedSeconds)
        }
    }

    func testWithoutAnEndToEndCellEachEncoderSideGetsItsOwnEncoderRun() throws {
        let p = try plan("""
        name: p
        dataset: {synthetic: {train: 20, val: 8, test: 4, max_pages: 3}}
        train: {mode: cached, steps: 10, warmup_steps: 2}
        grid: {encoder.summary_tokens: [2, 4], page_head.pooling: [max, mean]}
        """)
        let encoders = p.steps.filter { $0.kind == .encoder }
        XCTAssertEqual(encoders.count, 2)
        XCTAssertTrue(encoders.allSatisfy { $0.runDirectory!.path.contains("/_encoders/") && $0.settings.train.mode == .endToEnd })
        XCTAssertEqual(Set(encoders.map { $0.settings.encoder.summaryTokens }), [2, 4])
    }

    func testFinishedAndKilledStepsAreReusedAndResumed() throws {
        let root = work.appendingPathComponent("runs/p")
        let fm = FileManager.default
        // e2e seed 1 finished and evaluated; pooling=max,probe=false seed 1 killed mid-training.
        let e2e = root.appendingPathComponent("e2e/seed-1")
        try fm.createDirectory(at: e2e, withIntermediateDirectories: true)
        let url = work.appendingPathComponent("p.yaml")
        try Self.manifest.write(to: url, atomically: true, encoding: .utf8)
        let manifest = try Manifest.load(url)
        let planned = try manifest.settings(manifest.variants.first { $0.name == "e2e" }!, seed: 1)
        try CompletionMarker(steps: 50, minutes: 1, bestDevANLS: 0.5, bestStep: 50, mode: "end_to_end", encoderRun: "",
                             config: planned.config.yaml, trainedConfig: planned.config.yaml).write(to: e2e)
        for split in ["test", "val"] {  // an evaluation is done when its submission (written last) is there
            try fm.createDirectory(at: e2e.appendingPathComponent("eval/\(split)"), withIntermediateDirectories: true)
            try "[]".write(to: e2e.appendingPathComponent("eval/\(split)/submission.json"), atomically: true, encoding: .utf8)
        }
        let killed = root.appendingPathComponent("pooling=max,probe=false/seed-1")
        try fm.createDirectory(at: killed.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        try "x".write(to: killed.appendingPathComponent("checkpoints/latest.safetensors"), atomically: true, encoding: .utf8)

        let p = try plan(Self.manifest)
        func status(_ kind: PlanStep.Kind, _ cell: String, _ seed: Int) -> PlanStep.Status? {
            p.steps.first { $0.kind == kind && $0.cell == cell && $0.seed == seed }?.status
        }
        XCTAssertEqual(status(.encoder, "e2e", 1), .reuse)
        XCTAssertEqual(status(.eval, "e2e", 1), .reuse)
        XCTAssertEqual(status(.encoder, "e2e", 2), .build)
        XCTAssertEqual(status(.train, "pooling=max,probe=false", 1), .resume)
        XCTAssertEqual(status(.train, "pooling=max,probe=false", 2), .build)
        XCTAssertTrue(p.text.contains("[reuse  ] encoder"))
        XCTAssertTrue(p.text.contains("[resume ] train"))
    }

    func testOnlyKeepsOneCellAndItsDependencies() throws {
        let p = try plan(Self.manifest, only: "pooling=mean,probe=false")
        XCTAssertEqual(Set(p.steps.filter { $0.kind == .eval }.map(\.cell)), ["pooling=mean,probe=false"])
        XCTAssertEqual(p.steps.filter { $0.kind == .encoder }.count, 2)   // the e2e cells it reads, though not selected
        XCTAssertThrowsError(try plan(Self.manifest, only: "pooling=men,probe=false")) { error in
            XCTAssertTrue("\(error)".contains("did you mean pooling=mean,probe=false?"), "\(error)")
        }
    }

    /// One policy for cached mode in `mpvqa run` and `mpvqa train`: a key cached training cannot
    /// honour is refused at plan time, naming the cell, with the words `mpvqa train` uses.
    func testACachedCellIsRefusedWhatMpvqaTrainRefuses() throws {
        let manifest = """
        name: p
        dataset: {synthetic: {train: 20, val: 8, test: 4, max_pages: 3}}
        train: {mode: cached, steps: 10, warmup_steps: 2, page_window: 2}
        runs:
          - {name: e2e, set: {train.mode: end_to_end}}
        grid: {page_head.pooling: [max]}
        """
        let expected = "train.page_window: 2: expected 0 in cached mode (it trains on full documents)"
        XCTAssertThrowsError(try plan(manifest)) { error in
            XCTAssertTrue("\(error)".contains(expected + " (cell 'pooling=max')"), "\(error)")
        }
        var config = try ConfigDocument.parse("""
        train: {mode: cached, encoder_run: \(work.path), steps: 10, warmup_steps: 2, page_window: 2}
        """, source: "c.yaml").base
        try config.set("dataset.synthetic.max_pages", text: "3")
        XCTAssertThrowsError(try RunSettings(config)) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)")
        }
        // The end-to-end cell of the same manifest keeps its page window.
        let fine = try plan(manifest.replacingOccurrences(of: "page_window: 2}", with: "page_window: 0}")
                                .replacingOccurrences(of: "{train.mode: end_to_end}", with: "{train.mode: end_to_end, train.page_window: 2}"))
        XCTAssertEqual(fine.steps.first { $0.kind == .encoder }?.settings.train.pageWindow, 2)
        XCTAssertEqual(fine.steps.first { $0.kind == .train }?.settings.train.pageWindow, 0)
    }
}
