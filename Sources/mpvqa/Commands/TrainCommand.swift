import ArgumentParser
import Foundation
import Training

/// `mpvqa train --config FILE [--set key=value]... [--run-dir DIR] [--resume]`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Hi-VT5 model from a config (YAML with the manifest's sections, no grid).",
        discussion: """
        Writes the run directory (default runs/<name>): config.yaml (resolved), run.json, train.log, \
        metrics.jsonl, tokenizer.json, checkpoints/latest.safetensors and best.safetensors (by val ANLS). \
        The synthetic dataset and tokenizers are generated once into --data-dir and shared.
        """)

    @Option(help: "Training config (YAML).")
    var config: String

    @Option(name: .customLong("set"), help: "Override a config key (repeatable), e.g. --set train.lr=1e-3.")
    var overrides: [String] = []

    @Option(help: "Run directory (default: runs/<name>).")
    var runDir: String?

    @Option(help: "Shared cache of generated datasets and tokenizers.")
    var dataDir = "runs/_data"

    @Flag(help: "Continue the run in --run-dir from its latest checkpoint.")
    var resume = false

    func run() throws {
        var resolved = try Config.load(URL(fileURLWithPath: config))
        try resolved.apply(overrides: overrides)
        let directory = RunDirectory(URL(fileURLWithPath: runDir ?? "runs/\(resolved.string("name"))"))
        let trainer = try Trainer(config: resolved, run: directory, dataDirectory: URL(fileURLWithPath: dataDir), resume: resume)
        let state = try trainer.run()
        print(String(format: "trained %d steps in %.1f min; best val ANLS %.4f at step %d; run directory %@",
                     state.step, state.elapsedSeconds / 60, state.bestScore, state.bestStep, directory.url.path))
    }
}

/// `mpvqa eval --run DIR [--split val|test] [--beams N]`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained run on a split: metrics.json, predictions.jsonl, submission.json.")

    @Option(name: .customLong("run"), help: "Run directory written by `mpvqa train`.")
    var runPath: String

    @Option(help: "Split to evaluate (val has answers; test gets predictions only).")
    var split = "val"

    @Option(help: "Beam width (1 = greedy).")
    var beams = 1

    @Option(help: "Shared cache of generated datasets and tokenizers.")
    var dataDir = "runs/_data"

    func validate() throws {
        guard beams >= 1 else { throw ValidationError("--beams must be at least 1, got \(beams)") }
    }

    func run() throws {
        let directory = RunDirectory(URL(fileURLWithPath: runPath))
        let summary = try RunEvaluation(run: directory, split: split, beams: beams, dataDirectory: URL(fileURLWithPath: dataDir)).evaluate()
        let out = directory.evaluation(split).path
        guard let report = summary.report, let baseline = summary.baseline, let attention = summary.attentionScorer else {
            print("\(summary.questions) \(split) questions answered (no gold answers on this split); submission: \(out)/submission.json")
            return
        }
        print(ScoreText.table(report))
        print("")
        print(String(format: "decoder-attention page scorer: page acc %.4f", attention.pageAccuracy))
        print(String(format: "baselines: most-frequent-answer ANLS %.4f accuracy %.4f; always-page-0 page acc %.4f",
                     baseline.anls, baseline.accuracy, baseline.pageAccuracy))
        print(String(format: "cost: %.1f encoder passes/question, %.3f s/question, %.1f pages/s",
                     summary.encoderPassesPerQuestion, summary.secondsPerQuestion, summary.pagesPerSecond))
        print("written: \(out)/metrics.json, predictions.jsonl, submission.json")
    }
}
