import DocData
import Foundation
import Models
import NeuralNet
import RunSupport
import TensorCore

/// Trains a Hi-VT5 model as its config says (README "Configs and runs"), in a run directory:
/// seeded, resumable bit-for-bit (`resume: true` continues from `checkpoints/latest`),
/// validating on the dev split every `train.eval_every` steps and keeping the best checkpoint by
/// dev ANLS (val and test never influence a run).
/// A non-finite loss or gradient stops training with a clear error; the last good
/// checkpoint stays in place.
///
/// ```swift
/// let trainer = try Trainer(settings: try RunSettings(config), run: RunDirectory(url), dataDirectory: data, resume: false)
/// let state = try trainer.run()
/// ```
public final class Trainer {
    public let settings: RunSettings
    public let runDirectory: RunDirectory
    public let log: RunLog
    public let preparation: RunPreparation
    public let tokenizer: any TextTokenizer
    public let model: HiVT5
    public let optimizer: AdamW
    public let schedule: LearningRateSchedule
    public let batches: TrainingBatches
    public let validation: [BatchItem]
    public let evaluator: Evaluator
    /// `train.mode: cached`: the feature caches and what trains (nil end to end).
    public let cached: CachedTraining?
    /// What the optimizer updates (everything end to end).
    let trainable: [Tensor]
    public private(set) var state: TrainingState
    let lossWeights: LossWeights
    let baselineAnswer: String

    /// Prepares the run in `run` (data, tokenizer, model, optimizer; in cached mode the frozen
    /// encoder and its feature caches); `resume` continues from the run's latest checkpoint.
    /// Every input is checked before the run directory is first written (README "Errors"), so a
    /// refused start leaves it byte-identical; `force` lets it write into a non-empty directory
    /// that is not an mpvqa run directory.
    public init(settings: RunSettings, run: RunDirectory, dataDirectory: URL, resume: Bool, force: Bool = false) throws {
        self.settings = settings
        self.runDirectory = run
        try run.checkBeforeTraining(resume: resume, force: force)
        // Before anything is written: a refused resume leaves the run exactly as it was.
        if resume { try ResumeCompatibility.check(settings, against: run.latestCheckpoint) }
        try RunInputChecks.check(settings)
        log = RunLog(pendingEcho: true)  // attached to train.log at the first write, below
        let threads = settings.train.threads
        if threads > 0 { Parallel.threads = threads }
        var info = RunInfo.current(seed: Int(settings.train.seed))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        log("\(resume ? "resuming" : "starting") run \(run.url.path): commit \(info.commit), BLAS \(info.blasKernel), \(Parallel.threads) threads")

        preparation = RunPreparation(settings: settings, dataDirectory: dataDirectory, log: log)
        let layout = try preparation.dataset()
        let cachedMode = settings.mode.isCached
        tokenizer = try (cachedMode ? CachedTraining.tokenizer(settings) : nil) ?? preparation.tokenizer(layout: layout)
        let modelConfig = try preparation.modelConfiguration(tokenizer: tokenizer)
        var rng = SeededRNG(seed: settings.train.seed)
        model = HiVT5(modelConfig, rng: &rng)
        if !resume && !settings.train.initFrom.isEmpty {
            log(try RunInitialization.initialise(model, from: RunDirectory(URL(fileURLWithPath: settings.train.initFrom))))
        }
        log("model: \(model.parameterCount) parameters, d \(modelConfig.modelDim), encoder \(modelConfig.encoderLayers) × decoder \(modelConfig.decoderLayers) layers, K \(modelConfig.summaryTokens)")

        let t = settings.train
        schedule = try LearningRateSchedule(peak: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.steps, decay: t.schedule)
        lossWeights = LossWeights(page: t.pageLossWeight, span: cachedMode ? 0 : t.spanLossWeight, contains: t.containsLossWeight)

        let (builder, probeBuilder) = try preparation.batchBuilders(tokenizer: tokenizer)
        let threadsForLoading = ProcessInfo.processInfo.activeProcessorCount
        let train = try QuestionSet.load(layout: layout, split: "train", visual: preparation.visualPatches, threads: threadsForLoading)
        let evalLimit = t.evalQuestions
        // Training validates and keeps `best` on dev: val and test are scored only at the end.
        validation = try QuestionSet.load(layout: layout, split: "dev", limit: evalLimit > 0 ? evalLimit : nil,
                                          visual: preparation.visualPatches, threads: threadsForLoading).items
        // The question files are validated non-empty; this keeps the batch sampler's invariant local.
        for (split, count) in [("train", train.items.count), ("dev", validation.count)] where count == 0 {
            throw DataError(file: layout.questionFile(split), field: "data", "no usable questions; expected at least one to \(split == "train" ? "train on" : "validate with")")
        }
        let source: QuestionSource = settings.dataset.synthetic.online && !settings.dataset.usesReleasedDataset
            ? .online(preparation.syntheticConfig) : .fixed(train)
        batches = TrainingBatches(source: source, builder: builder, probeBuilder: probeBuilder,
                                  batchSize: t.batchQuestions, seed: t.seed,
                                  pageWindow: t.pageWindow,
                                  singlePageWarmupSteps: t.singlePageWarmupSteps,
                                  spanLabels: lossWeights.span > 0,
                                  extractiveAnswers: t.answerDraw == .extractive,
                                  windowPageOffsets: t.windowPageOffsets, targetsOnly: cachedMode)
        evaluator = preparation.evaluator(model: model, tokenizer: tokenizer, builders: (builder, probeBuilder), beams: 1)
        baselineAnswer = Baselines.mostFrequentAnswer(train.items)
        cached = cachedMode ? try CachedTraining(settings: settings, model: model, tokenizer: tokenizer, layout: layout, train: train,
                                                 validation: validation, log: log) : nil
        let trainableParameters = cached?.trainable ?? model.namedParameters
        trainable = trainableParameters.map(\.tensor)
        optimizer = AdamW(parameters: trainableParameters, learningRate: schedule(0), weightDecay: t.weightDecay)
        info.mode = settings.mode.name
        if let cached {
            info.caches = cached.records
            info.initialisation = cached.initialisation
        }

        state = TrainingState()
        if resume { state = try TrainingCheckpoint.load(into: model, optimizer: optimizer, from: run.latestCheckpoint) }

        // The first write into the run directory: everything above only read it (the shared
        // data and cache directories may have been filled).
        try run.claimForTraining()
        log.attach(run.log)
        try AtomicFile.write(settings.yaml, to: run.config)
        if !resume { try AtomicFile.write(try encoder.encode(info), to: run.runInfo) }
        try tokenizer.write(to: run.tokenizer)
        if resume {
            try run.truncateMetrics(toStep: state.step)  // steps logged after the checkpoint are trained again
            log("resumed at step \(state.step) (best dev ANLS \(String(format: "%.4f", state.bestScore)) at step \(state.bestStep))")
        }
    }

    /// Runs the remaining steps; returns the final state.
    @discardableResult
    public func run() throws -> TrainingState {
        let steps = settings.train.steps
        let evalEvery = settings.train.evalEvery
        let clip = settings.train.clipNorm
        let timeLimit = settings.train.timeLimitMinutes * 60
        let metrics = try JSONLinesWriter(runDirectory.metrics)
        let start = Date()
        let startElapsed = state.elapsedSeconds
        var window = (loss: 0.0, answer: 0.0, page: 0.0, span: 0.0, contains: 0.0, count: 0, questions: 0, since: Date())
        let logEvery = max(1, min(50, evalEvery / 5))
        var readFeatures: (@Sendable ([BatchItem]) throws -> EncodedQuestions)? = nil
        if let features = cached?.train { readFeatures = { try features.encoded($0) } }
        let shards = min(Parallel.threads, settings.train.batchQuestions)
        let shardedSteps = cached != nil && shards > 1
        // Sharded steps keep every core busy: the next batch is read by the first shard to finish.
        let prefetcher = BatchPrefetcher(batches, features: readFeatures, inBackground: !shardedSteps)
        let profile = ProfileWindow.fromEnvironment()

        while state.step < steps {
            let step = state.step
            profile?.stepBegins(step)
            let batch = prefetcher.batch(step: step)
            var dropout: SeededRNG? = settings.model.dropout > 0 ? batches.rng(step: step, purpose: 4) : nil
            let loss: (total: Double, answer: Double, page: Double, span: Double, contains: Double)
            if shardedSteps {
                // Cached steps are too small for their kernels to use more than one core:
                // run groups of questions on separate threads instead (README "Cached training").
                let sharded = model.shardedLossAndGradients(try prefetcher.features(step: step), targets: batch.targets,
                                                            weights: lossWeights, shards: shards, rng: dropout,
                                                            alongside: { prefetcher.buildNext() })
                loss = (sharded.total, sharded.answer, sharded.page, 0, sharded.contains)
                try checkFinite(loss.total, answer: loss.answer, page: loss.page, step: step)
                sharded.addGradientsToParameters()
            } else {
                let breakdown = cached == nil ? model.loss(batch, weights: lossWeights, rng: &dropout)
                    : model.loss(try prefetcher.features(step: step), targets: batch.targets, weights: lossWeights, rng: &dropout)
                loss = (breakdown.total.item, breakdown.answer, breakdown.page, breakdown.span, breakdown.contains)
                try checkFinite(loss.total, answer: loss.answer, page: loss.page, step: step)
                breakdown.total.backward()
            }
            let total = loss.total
            let norm = clipGradientNorm(trainable, maxNorm: clip > 0 ? clip : .infinity)  // returns the norm either way
            guard norm.isFinite else {
                throw TrainingError.nonFinite("gradient norm is \(norm) at step \(step); the last good checkpoint is \(runDirectory.latestCheckpoint.path)")
            }
            optimizer.learningRate = schedule(step)
            optimizer.update()
            optimizer.zeroGrad()
            profile?.stepEnded(step, log: log)
            state.step += 1
            state.elapsedSeconds = startElapsed + Date().timeIntervalSince(start)

            window.loss += total; window.answer += loss.answer; window.page += loss.page
            window.span += loss.span; window.contains += loss.contains; window.count += 1; window.questions += batch.batchSize
            if state.step % logEvery == 0 || state.step == steps {
                let n = Double(window.count)
                let qps = Double(window.questions) / max(Date().timeIntervalSince(window.since), 1e-9)
                let dataWait = prefetcher.takeWaitSeconds() / n * 1e3
                log(String(format: "step %d/%d  loss %.4f (answer %.4f, page %.4f, span %.4f, contains %.4f)  lr %.2e  |g| %.3f  %.1f questions/s  (data wait %.1f ms/step)",
                           state.step, steps, window.loss / n, window.answer / n, window.page / n, window.span / n, window.contains / n,
                           optimizer.learningRate, norm, qps, dataWait))
                try metrics.write(["step": state.step, "minutes": state.elapsedSeconds / 60, "loss": window.loss / n,
                                   "answer_loss": window.answer / n, "page_loss": window.page / n, "span_loss": window.span / n,
                                   "contains_loss": window.contains / n, "lr": optimizer.learningRate, "grad_norm": norm,
                                   "questions_per_s": qps, "data_wait_ms_per_step": dataWait])
                window = (0, 0, 0, 0, 0, 0, 0, Date())
            }
            let outOfTime = timeLimit > 0 && Date().timeIntervalSince(start) + startElapsed >= timeLimit
            if state.step % evalEvery == 0 || state.step == steps || outOfTime {
                try validate(metrics: metrics)
                window.since = Date()  // questions/s counts training time only
                _ = prefetcher.takeWaitSeconds()
            }
            if outOfTime {
                log(String(format: "time limit of %.1f minutes reached at step %d", timeLimit / 60, state.step))
                break
            }
        }
        return state
    }

    /// Stops the run at a non-finite loss, naming the last good checkpoint.
    func checkFinite(_ total: Double, answer: Double, page: Double, step: Int) throws {
        guard !total.isFinite else { return }
        throw TrainingError.nonFinite("loss is \(total) at step \(step) (answer \(answer), page \(page)); "
            + "the last good checkpoint is \(runDirectory.latestCheckpoint.path) — try a lower train.lr or train.clip_norm")
    }

    /// Scores the dev questions, logs them beside the baseline, saves `latest` (and `best`
    /// when the dev ANLS improved).
    func validate(metrics: JSONLinesWriter) throws {
        let started = Date()
        let predictions = try cached.map { try evaluator.predict(validation, features: $0.dev) } ?? evaluator.predict(validation)
        let gold = validation.map { Question(questionId: $0.questionId, question: $0.question, docId: "", pageIds: $0.pages.indices.map(String.init),
                                             answers: $0.answers, answerPageIndex: $0.answerPageIndex, dataSplit: "dev") }
        let report = try Scorer.score(gold: gold, predictions: predictions.map(\.submissionEntry))
        let attention = try Scorer.score(gold: gold, predictions: predictions.map {
            SubmissionEntry(questionId: $0.questionId, answer: $0.answer, answerPage: $0.attentionPage) })
        let extracted = evaluator.extractSpans ? try Scorer.score(gold: gold, predictions: predictions.map { $0.submissionEntry(.extract) }).overall : nil
        let baseline = try Scorer.score(gold: gold, predictions: Baselines.submission(for: validation, answer: baselineAnswer))
        let generated = report.overall
        var line = String(format: "dev @ step %d (%.1f min): generated ANLS %.4f  accuracy %.4f  page acc %.4f  top-3 %.4f  attention-scorer page acc %.4f",
                          state.step, state.elapsedSeconds / 60, generated.anls, generated.accuracy, generated.pageAccuracy,
                          generated.top3PageAccuracy ?? 0, attention.overall.pageAccuracy)
        var row: [String: Any] = ["step": state.step, "minutes": state.elapsedSeconds / 60, "dev_anls": generated.anls,
                                  "dev_accuracy": generated.accuracy, "dev_page_accuracy": generated.pageAccuracy,
                                  "dev_top3_page_accuracy": generated.top3PageAccuracy ?? 0,
                                  "dev_attention_page_accuracy": attention.overall.pageAccuracy,
                                  "baseline_anls": baseline.overall.anls, "baseline_page_accuracy": baseline.overall.pageAccuracy]
        if let extracted {
            line += String(format: "  | extracted ANLS %.4f  accuracy %.4f  page acc %.4f", extracted.anls, extracted.accuracy, extracted.pageAccuracy)
            row["dev_extracted_anls"] = extracted.anls
            row["dev_extracted_accuracy"] = extracted.accuracy
            row["dev_extracted_page_accuracy"] = extracted.pageAccuracy
        }
        log(line + String(format: "  | baselines: most-frequent-answer ANLS %.4f, page-0 page acc %.4f  (%.1f s)",
                          baseline.overall.anls, baseline.overall.pageAccuracy, Date().timeIntervalSince(started)))
        try metrics.write(row)
        let s = preparation.answerSource == .extract ? extracted! : generated  // picks the `best` checkpoint
        if s.anls > state.bestScore {
            state.bestScore = s.anls
            state.bestStep = state.step
            try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, configYAML: settings.yaml, to: runDirectory.bestCheckpoint)
        }
        // `latest` last: a run killed before this line resumes from the previous checkpoint.
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, configYAML: settings.yaml, to: runDirectory.latestCheckpoint)
    }
}

/// Training stopped for a reason the user must act on.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFinite(String)

    public var description: String {
        switch self { case .nonFinite(let message): return "training diverged: \(message)" }
    }
}
