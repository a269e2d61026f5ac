import Foundation
import RunSupport
import Training

/// Executes an `ExperimentPlan` step by step through the library (Trainer, RunEvaluation),
/// skipping what is complete and saying so, then aggregates the results and writes the report.
/// A killed run resumes: finished trainings leave `complete.json`, unfinished ones continue
/// from their latest checkpoint, finished evaluations leave `eval/<split>/submission.json` (written last).
///
/// ```swift
/// let runner = ExperimentRunner(plan: plan, reportDirectory: URL(fileURLWithPath: "notebooks-md"))
/// let results = try runner.run()
/// ```
public struct ExperimentRunner {
    public let plan: ExperimentPlan
    public let reportDirectory: URL
    public let log: RunLog

    public init(plan: ExperimentPlan, reportDirectory: URL) throws {
        self.plan = plan
        self.reportDirectory = reportDirectory
        try ExperimentDirectory.claim(plan.root)  // refused while another process runs this manifest
        log = RunLog(plan.root.appendingPathComponent("run.log"))
    }

    /// Runs every step; returns the aggregated results (also written as results.csv / results.json).
    @discardableResult
    public func run() throws -> ExperimentResults {
        let started = Date()
        try AtomicFile.write(plan.manifest.text, to: plan.root.appendingPathComponent("manifest.yaml"))
        log("mpvqa run \(plan.manifest.url.path): \(plan.cellCount) runs, \(plan.pending.count) steps to do, estimated \(ExperimentPlan.duration(plan.estimatedSeconds))")
        let total = plan.cellCount
        var cellsDone = plan.steps.filter { $0.kind == .eval && $0.status == .reuse }.count
        var estimatedDone = 0.0, remaining = plan.estimatedSeconds
        for (index, step) in plan.steps.enumerated() {
            let label = "step \(index + 1)/\(plan.steps.count) \(step.kind.rawValue): \(step.title)"
            switch step.status {
            case .reuse:
                log("skip \(label): complete, reused")
                continue
            case .build, .resume:
                break
            }
            let elapsed = Date().timeIntervalSince(started)
            // ETA: the remaining estimate, scaled by how the finished estimates compared with reality.
            let scale = estimatedDone > 30 ? elapsed / estimatedDone : 1
            log(String(format: "[grid %@] cells %d/%d done · elapsed %@ · ETA %@ · %@", plan.manifest.name, cellsDone, total,
                       ExperimentPlan.duration(elapsed), ExperimentPlan.duration(remaining * scale), label))
            try execute(step)
            estimatedDone += step.estimatedSeconds
            remaining -= step.estimatedSeconds
            if step.kind == .eval { cellsDone += 1 }
        }
        let results = try ExperimentResults.collect(plan: plan)
        try results.write(to: plan.root)
        log("results: \(plan.root.appendingPathComponent("results.csv").path), results.json")
        let report = try ExperimentReport(plan: plan, results: results).write(to: reportDirectory)
        log(String(format: "done in %@; report %@", ExperimentPlan.duration(Date().timeIntervalSince(started)), report.path))
        return results
    }

    /// The settings of a cached cell on `encoder` (`train.encoder_run` set to the plan's encoder
    /// run), checked in full as `mpvqa train` checks them: the encoder run's agreement too.
    func cachedSettings(_ step: PlanStep, encoder: URL) throws -> RunSettings {
        var c = step.settings.config
        try c.set("train.encoder_run", text: encoder.path, source: "plan")
        do { return try RunSettings(c) } catch let e as ConfigError {
            throw ConfigError(source: e.source, key: e.key, e.message + " (cell '\(step.cell ?? "?")' in cached mode)")
        }
    }

    func execute(_ step: PlanStep) throws {
        let data = plan.dataDirectory
        switch step.kind {
        case .dataset:
            _ = try RunPreparation(settings: step.settings, dataDirectory: data, log: log).dataset()
        case .tokenizer:
            let prep = RunPreparation(settings: step.settings, dataDirectory: data, log: log)
            _ = try prep.tokenizer(layout: try prep.dataset())
        case .cache:
            // Cached training builds (or reuses, or resumes) the caches of its encoder run in
            // `train.cache_dir` when it opens them, so the first cell that reads a cache builds it.
            log("feature cache: built by the first cell that reads it (cached training opens its caches)")
        case .encoder, .train:
            guard let dir = step.runDirectory else { return }
            let settings = try step.encoderRun.map { try cachedSettings(step, encoder: $0) } ?? step.settings
            let run = RunDirectory(dir)
            try ExperimentDirectory.holdCell(dir, label: step.title, log: log)
            defer { RunDirectoryLock.release(dir) }
            if FileManager.default.fileExists(atPath: ExperimentPlan.completionMarker(dir).path) {
                log("\(step.title): finished by another process meanwhile; reused")
                return
            }
            // From the disk, not the plan: another process may have trained part of it meanwhile.
            let resume = FileManager.default.fileExists(atPath: run.latestCheckpoint.path)
            if resume { log("resuming \(dir.path) from its latest checkpoint") }
            let trainer = try Trainer(settings: settings, run: run, dataDirectory: data, resume: resume)
            let state = try trainer.run()
            // The cell's config as planned (what a rerun compares) and the settings it trained with.
            try CompletionMarker(steps: state.step, minutes: state.elapsedSeconds / 60, bestDevANLS: state.bestScore, bestStep: state.bestStep,
                                 mode: settings.mode.name, encoderRun: step.encoderRun?.path ?? "",
                                 config: step.settings.config.yaml, trainedConfig: settings.yaml).write(to: dir)
        case .eval:
            guard let dir = step.runDirectory else { return }
            try ExperimentDirectory.holdCell(dir, label: step.title, log: log)
            defer { RunDirectoryLock.release(dir) }
            for split in ExperimentPlan.scoredSplits where !ExperimentPlan.evaluationIsDone(dir, split: split) {
                let summary = try RunEvaluation(run: RunDirectory(dir), split: split, beams: step.settings.eval.beams, dataDirectory: data).evaluate()
                if let m = summary.report?.overall {
                    log(String(format: "%@ seed %d: %@ ANLS %.4f accuracy %.4f page acc %.4f", step.cell ?? "?", step.seed ?? 0, split, m.anls, m.accuracy, m.pageAccuracy))
                }
            }
        }
    }
}
