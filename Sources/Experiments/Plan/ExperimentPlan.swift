import DocData
import Foundation
import Training

/// The steps of a manifest in dependency order — datasets, tokenizers, one encoder training
/// per distinct encoder-side configuration, one feature cache per (encoder, prompt, split),
/// then every cell's training and evaluation — each marked built, reused or resumed from
/// what is on disk.
///
/// A cell trains the way its settings say (`RunSettings.mode`, the rules `mpvqa train` applies).
/// A cell asking for `train.mode: cached` without naming its encoder gets one from the plan: the
/// end-to-end cell of the manifest (without the probe) with the same encoder-side settings and
/// seed, or, when there is none, an encoder run of its own under `runs/<name>/_encoders/`. A cached
/// cell with `page_head.probe` reads probe-prompt caches of that plain encoder; the probe trained
/// end to end is a cell with `train.mode: end_to_end`.
///
/// ```swift
/// let plan = try ExperimentPlan(manifest: manifest, runsDirectory: URL(fileURLWithPath: "runs"), dataDirectory: data)
/// print(plan.text)
/// ```
public struct ExperimentPlan: Sendable {
    public let manifest: Manifest
    public let root: URL
    public let dataDirectory: URL
    public private(set) var steps: [PlanStep] = []

    /// `only`: restrict to one cell (its variant name, or `variant/seed-N`); the steps it depends on stay.
    public init(manifest: Manifest, runsDirectory: URL, dataDirectory: URL, only: String? = nil) throws {
        self.manifest = manifest
        self.root = runsDirectory.appendingPathComponent(manifest.name)
        self.dataDirectory = dataDirectory
        let fm = FileManager.default

        struct Cell { var variant: Manifest.Variant; var seed: Int; var config: RunSettings; var cached: Bool; var dir: URL }
        var cells: [Cell] = []
        for variant in manifest.variants {
            for seed in manifest.seeds(of: variant) {
                let config = try manifest.settings(variant, seed: seed)
                let cached = config.mode == .cachedOnPlannedEncoder
                cells.append(Cell(variant: variant, seed: seed, config: config, cached: cached,
                                  dir: root.appendingPathComponent(variant.name).appendingPathComponent("seed-\(seed)")))
            }
        }
        if let only {
            let kept = cells.filter { $0.variant.name == only || "\($0.variant.name)/seed-\($0.seed)" == only }
            guard !kept.isEmpty else {
                let names = manifest.variants.map(\.name)
                let suggestion = names.min { AnswerMetrics.levenshtein(Array($0.unicodeScalars), Array(only.unicodeScalars))
                    < AnswerMetrics.levenshtein(Array($1.unicodeScalars), Array(only.unicodeScalars)) }
                throw ConfigError(source: "--only", key: only, "no such cell" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
                                  + "; cells: \(names.joined(separator: ", "))")
            }
            cells = kept
        }

        // Datasets and tokenizers, once each.
        var seenData = Set<String>(), seenTokenizers = Set<String>()
        for cell in cells {
            let prep = RunPreparation(settings: cell.config, dataDirectory: dataDirectory)
            let root = prep.syntheticRoot ?? URL(fileURLWithPath: cell.config.dataset.mpdocvqa.root)
            if seenData.insert(root.path).inserted {
                let ready = prep.datasetIsReady
                steps.append(PlanStep(kind: .dataset, title: prep.usesReleasedDataset ? "dataset \(root.path)" : "synthetic dataset \(root.lastPathComponent)",
                                      status: ready ? .reuse : .build, settings: cell.config, encoderPasses: 0,
                                      estimatedSeconds: ready ? 0 : CostModel.datasetSeconds(cell.config)))
            }
            let tokenizer = prep.tokenizerURL(layout: DatasetLayout(root: root))
            if seenTokenizers.insert(tokenizer.path).inserted {
                let ready = fm.fileExists(atPath: tokenizer.path)
                steps.append(PlanStep(kind: .tokenizer, title: "tokenizer \(tokenizer.lastPathComponent)", status: ready ? .reuse : .build,
                                      settings: cell.config, encoderPasses: 0, estimatedSeconds: ready ? 0 : CostModel.tokenizerSeconds(cell.config)))
            }
        }

        // Encoders of the cached cells: an end-to-end cell with the same encoder side, else a run of their own.
        // Every end-to-end cell of the manifest is a candidate, even when --only leaves it out.
        var allCells = cells
        if only != nil {
            for variant in manifest.variants {
                for seed in manifest.seeds(of: variant) where !allCells.contains(where: { $0.variant.name == variant.name && $0.seed == seed }) {
                    let config = try manifest.settings(variant, seed: seed)
                    allCells.append(Cell(variant: variant, seed: seed, config: config,
                                         cached: config.mode == .cachedOnPlannedEncoder,
                                         dir: root.appendingPathComponent(variant.name).appendingPathComponent("seed-\(seed)")))
                }
            }
        }
        var encoderOf: [String: (dir: URL, config: RunSettings, isCell: Bool)] = [:]
        for cell in cells where cell.cached {
            let key = ExperimentPlan.encoderFingerprint(cell.config)
            if encoderOf[key] != nil { continue }
            // A probe cell's encoder also learned the probe pass: not the plain encoder a cached cell freezes.
            if let e2e = allCells.first(where: { $0.config.mode == .endToEnd && !$0.config.pageHead.probe
                                                 && ExperimentPlan.encoderFingerprint($0.config) == key }) {
                encoderOf[key] = (e2e.dir, e2e.config, true)
            } else {
                let config = try ExperimentPlan.plainEncoderSettings(of: cell.config)
                let hash = String(format: "%08x", ExperimentPlan.stableHash(key))
                encoderOf[key] = (root.appendingPathComponent("_encoders/\(hash)"), config, false)
            }
        }
        var encoderDirs = Set<String>()
        for (_, encoder) in encoderOf.sorted(by: { $0.value.dir.path < $1.value.dir.path }) where encoderDirs.insert(encoder.dir.path).inserted {
            let cell = cells.first { $0.dir == encoder.dir }
            steps.append(try trainStep(kind: .encoder, title: "encoder \(ExperimentPlan.relative(encoder.dir, to: root)) (end to end)",
                                   dir: encoder.dir, config: encoder.config, cell: cell?.variant.name, seed: cell?.seed))
        }

        // Feature caches: one per (encoder, prompt, split) the cached cells read.
        var seenCaches = Set<String>()
        for cell in cells where cell.cached {
            let encoder = encoderOf[ExperimentPlan.encoderFingerprint(cell.config)]!
            // The probe reads a second cache per split, made with the probe prompt.
            let templates = [cell.config.encoder.prompt] + (cell.config.pageHead.probe ? [cell.config.pageHead.probePrompt] : [])
            // Training reads train and dev; evaluation builds the val and test caches it answers from.
            for template in templates {
            for split in ["train", "dev"] + ExperimentPlan.scoredSplits {
                let key = "\(encoder.dir.path)|\(template)|\(split)"
                guard seenCaches.insert(key).inserted else { continue }
                let synthetic = cell.config.dataset.synthetic
                let questions = Double(["train": synthetic.train, "dev": synthetic.dev, "val": synthetic.val, "test": synthetic.test][split] ?? 0)
                steps.append(PlanStep(kind: .cache, title: "feature cache \(ExperimentPlan.relative(encoder.dir, to: root)) \"\(template)\" \(split)",
                                      status: .build, settings: cell.config,
                                      encoderPasses: questions * CostModel.meanPages(cell.config),
                                      estimatedSeconds: CostModel.cacheSeconds(cell.config, questions: questions),
                                      encoderRun: encoder.dir))
            }
            }
        }

        // Every cell: training (unless it was the encoder step) and evaluation.
        for cell in cells {
            if !encoderDirs.contains(cell.dir.path) {
                let config = cell.config
                var step: PlanStep
                if cell.cached {
                    let encoder = encoderOf[ExperimentPlan.encoderFingerprint(cell.config)]!
                    step = try trainStep(kind: .train, title: "train \(cell.variant.name) seed \(cell.seed) (cached)",
                                     dir: cell.dir, config: config, cell: cell.variant.name, seed: cell.seed)
                    step.encoderRun = encoder.dir
                    // Cached training reads summaries from the caches: no page is encoded.
                    step.encoderPasses = 0
                    step.estimatedSeconds = step.status == .reuse ? 0 : CostModel.trainingSeconds(cell.config, cached: true)
                } else {
                    let mode = config.mode == .endToEnd ? "end to end" : "cached, on the encoder run it names"
                    step = try trainStep(kind: .train, title: "train \(cell.variant.name) seed \(cell.seed) (\(mode))",
                                     dir: cell.dir, config: config, cell: cell.variant.name, seed: cell.seed)
                }
                steps.append(step)
            }
            let done = ExperimentPlan.scoredSplits.allSatisfy { ExperimentPlan.evaluationIsDone(cell.dir, split: $0) }
            let questions = Double(cell.config.dataset.synthetic.val + cell.config.dataset.synthetic.test)
            steps.append(PlanStep(kind: .eval, title: "evaluate \(cell.variant.name) seed \(cell.seed) on \(ExperimentPlan.scoredSplits.joined(separator: " and "))",
                                  status: done ? .reuse : .build,
                                  cell: cell.variant.name, seed: cell.seed, runDirectory: cell.dir, settings: cell.config,
                                  // A cached cell answers from the val cache: no page is encoded.
                                  encoderPasses: cell.cached ? 0 : questions * CostModel.meanPages(cell.config) * CostModel.passesPerQuestion(cell.config),
                                  estimatedSeconds: done ? 0 : CostModel.evaluationSeconds(cell.config, questions: questions, cached: cell.cached)))
        }
        // A cache is needed only by cells still to train or evaluate: with all of them done it is
        // reused (whether or not its file is still there), so a finished grid does no work.
        for i in steps.indices where steps[i].kind == .cache && steps[i].status == .build {
            let encoder = steps[i].encoderRun
            let trainings = steps.filter { $0.kind == .train && $0.encoderRun == encoder }
            let directories = Set(trainings.compactMap { $0.runDirectory?.path })
            let readers = trainings + steps.filter { $0.kind == .eval && directories.contains($0.runDirectory?.path ?? "") }
            if !readers.isEmpty && readers.allSatisfy({ $0.status == .reuse }) {
                steps[i].status = .reuse
                steps[i].estimatedSeconds = 0
            } else if let builder = steps.indices.first(where: { steps[$0].kind == .train && steps[$0].encoderRun == encoder && steps[$0].status != .reuse }) {
                // The first training that reads a cache builds it: its time is that step's, so the
                // runner's ETA compares each step's estimate with the step's own duration.
                steps[builder].estimatedSeconds += steps[i].estimatedSeconds
                steps[i].builtBy = steps[builder].title
                steps[i].estimatedSeconds = 0
            }
        }
        try PathConfinement.check(self, runsDirectory: runsDirectory)
    }

    /// A finished run is reused only for the configuration it was trained with: when the
    /// manifest's cell has changed since, planning stops (before any work) naming the run and
    /// every key that differs, instead of silently reporting the old run's results.
    public static func checkFinishedRun(_ dir: URL, matches settings: RunSettings) throws {
        guard let marker = try CompletionMarker.read(dir) else { return }
        let trained = try ConfigDocument.parse(marker.config, source: completionMarker(dir).path + " (config)").base
        let differences = settings.config.differences(from: trained)
        guard differences.isEmpty else {
            throw ConfigError(source: dir.path, key: "manifest",
                              "this cell finished with a different configuration (\(differences.joined(separator: "; "))); remove the run directory to retrain it")
        }
    }

    /// The splits every cell is scored on once it has trained, test first (the report leads
    /// with it); training selects on dev and never sees them.
    public static let scoredSplits = ["test", "val"]

    /// True when `split`'s evaluation of the run in `dir` finished (`submission.json` is
    /// written last, also on a test split without gold answers).
    public static func evaluationIsDone(_ dir: URL, split: String) -> Bool {
        FileManager.default.fileExists(atPath: RunDirectory(dir).evaluation(split).appendingPathComponent("submission.json").path)
    }

    /// The completion marker a finished training leaves in its run directory.
    public static func completionMarker(_ dir: URL) -> URL { dir.appendingPathComponent("complete.json") }

    private func trainStep(kind: PlanStep.Kind, title: String, dir: URL, config: RunSettings, cell: String?, seed: Int?) throws -> PlanStep {
        let fm = FileManager.default
        try ExperimentPlan.checkFinishedRun(dir, matches: config)
        let status: PlanStep.Status = fm.fileExists(atPath: ExperimentPlan.completionMarker(dir).path) ? .reuse
            : fm.fileExists(atPath: RunDirectory(dir).latestCheckpoint.path) ? .resume : .build
        let passes = CostModel.pagesTrained(config, steps: CostModel.expectedSteps(config))
        let seconds = status == .reuse ? 0 : CostModel.trainingSeconds(config)
        return PlanStep(kind: kind, title: title, status: status, cell: cell, seed: seed, runDirectory: dir, settings: config,
                        encoderPasses: passes, estimatedSeconds: seconds)
    }

    /// The settings that determine a page encoder's summaries: data, tokenizer, model, encoder, prompts, seed
    /// (`dataset.synthetic.online` aside).
    static func encoderFingerprint(_ s: RunSettings) -> String {
        let c = s.config
        // `dataset.synthetic.online` only changes which documents training draws, not the data an encoder reads.
        let keys = c.values.keys.filter { k in ["dataset.", "tokenizer.", "model.", "encoder."].contains { k.hasPrefix($0) } && k != "dataset.synthetic.online" }.sorted()
        return (keys.map { "\($0)=\(c.values[$0]!)" } + c.prompts.keys.sorted().map { "prompts.\($0)=\(c.prompts[$0]!)" }
                + ["seed=\(s.train.seed)"]).joined(separator: ";")
    }

    /// The settings of the plain encoder run the plan trains for a cached cell that names none:
    /// the cell's settings end to end, without the probe (a cached probe cell freezes the plain
    /// encoder and reads its probe-prompt caches).
    static func plainEncoderSettings(of cell: RunSettings) throws -> RunSettings {
        var c = cell.config
        try c.set("train.mode", text: TrainingMode.endToEnd.name, source: "plan")
        try c.set("page_head.probe", text: "false", source: "plan")
        return try RunSettings(c)
    }

    /// FNV-1a: a short name for an encoder configuration, the same on every machine.
    static func stableHash(_ s: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    static func relative(_ url: URL, to root: URL) -> String {
        let p = url.path, r = root.path + "/"
        return p.hasPrefix(r) ? String(p.dropFirst(r.count)) : p
    }

    /// Steps still to execute (built or resumed).
    public var pending: [PlanStep] { steps.filter { $0.status == .build || $0.status == .resume } }

    /// Estimated seconds of the remaining work.
    public var estimatedSeconds: Double { steps.reduce(0) { $0 + $1.estimatedSeconds } }

    /// Number of (cell, seed) pairs.
    public var cellCount: Int { steps.filter { $0.kind == .eval }.count }

    /// The plan as printed by `mpvqa run --dry-run`.
    public var text: String {
        var lines = ["plan for \(manifest.url.lastPathComponent) (\(manifest.name)): \(manifest.variants.count) cells, \(cellCount) runs (cells × seeds) in \(root.path)"]
        lines.append("cells: " + manifest.variants.map(\.name).joined(separator: ", ") + "; seeds: " + manifest.seeds.map(String.init).joined(separator: ", "))
        for (i, step) in steps.enumerated() {
            let status = switch step.status { case .build: "build  "; case .reuse: "reuse  "; case .resume: "resume " }
            let passes = step.encoderPasses > 0 ? String(format: "%.0f encoder passes over pages", step.encoderPasses) : ""
            let cost = step.status == .reuse ? ""
                : step.builtBy.map { "  \(passes), built by \"\($0)\" (in its estimate)" }
                ?? "  ~\(ExperimentPlan.duration(step.estimatedSeconds))" + (passes.isEmpty ? "" : ", " + passes)
            lines.append(String(format: "%3d. ", i + 1) + "[\(status)] \(step.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(step.title)\(cost)")
        }
        let passes = steps.filter { $0.status != .reuse }.reduce(0) { $0 + $1.encoderPasses }
        lines.append(String(format: "to build: %d steps, %d reused; %.0f encoder passes over pages; estimated %@ on 2 cores (rough: calibrated on a quiet 2-core AMD EPYC)",
                            pending.count, steps.filter { $0.status == .reuse }.count, passes, ExperimentPlan.duration(estimatedSeconds)))
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 90 ? String(format: "%.0f s", seconds) : seconds < 5400 ? String(format: "%.1f min", seconds / 60) : String(format: "%.1f h", seconds / 3600)
    }
}
