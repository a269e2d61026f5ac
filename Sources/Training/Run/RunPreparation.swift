import DocData
import Foundation
import Models
import RunSupport

/// Builds what a run needs from its settings: the dataset on disk (generating the synthetic
/// one when asked), the tokenizer, the model configuration and the batch builders. Data and
/// tokenizers are cached under `dataDirectory`, keyed by the settings that determine them,
/// so every run (and grid cell) with the same settings shares them.
public struct RunPreparation {
    public let settings: RunSettings
    /// Shared cache of generated datasets and trained tokenizers.
    public let dataDirectory: URL
    public let log: RunLog?

    public init(settings: RunSettings, dataDirectory: URL, log: RunLog? = nil) {
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.log = log
    }

    /// The synthetic generator settings of `dataset.synthetic.*`.
    public var syntheticConfig: SyntheticConfig { settings.syntheticConfig }

    /// Where submitted answers come from (`eval.answer`).
    public var answerSource: AnswerSource { settings.eval.answer }

    /// The evaluator of a run's model: extracts span-head answers when they are submitted or
    /// the span head is trained (then both kinds of answer are reported).
    public func evaluator(model: HiVT5, tokenizer: any TextTokenizer, builders: (BatchBuilder, BatchBuilder?), beams: Int) -> Evaluator {
        Evaluator(model: model, tokenizer: tokenizer, builder: builders.0, probeBuilder: builders.1,
                  options: GenerationOptions(maxLength: settings.eval.maxAnswerTokens, beams: beams,
                                             memoryPages: settings.eval.memoryPages),
                  batchSize: settings.train.batchQuestions,
                  // Cached mode has no token states to extract from (its span weight is forced to 0).
                  extractSpans: !settings.mode.isCached && (answerSource == .extract || settings.train.spanLossWeight > 0))
    }

    /// True when the run reads a released MP-DocVQA copy instead of the synthetic set.
    public var usesReleasedDataset: Bool { settings.dataset.usesReleasedDataset }

    /// Where the synthetic set of these settings is cached (nil for a released dataset).
    public var syntheticRoot: URL? {
        guard !usesReleasedDataset else { return nil }
        let synth = syntheticConfig
        let key = "synthetic-s\(synth.seed)-\(synth.trainQuestions)-\(synth.valQuestions)-\(synth.testQuestions)-dev\(synth.devQuestions)-p\(synth.minPages)_\(synth.maxPages)"
            + "-d\(synth.distractorRate)-n\(synth.ocrNoiseRate)-\(synth.imageFormat.rawValue)"
        return dataDirectory.appendingPathComponent(key)
    }

    /// Whether `dataset()` would return without generating anything.
    public var datasetIsReady: Bool {
        guard let root = syntheticRoot else { return true }
        return FileManager.default.fileExists(atPath: root.appendingPathComponent(".complete").path)
    }

    /// The dataset's layout, generating the synthetic set first if it is not cached yet.
    public func dataset() throws -> DatasetLayout {
        guard let root = syntheticRoot else {
            var layout = DatasetLayout(root: URL(fileURLWithPath: settings.dataset.mpdocvqa.root),
                                       imagesDirectory: settings.dataset.mpdocvqa.imagesDirectory,
                                       ocrDirectory: settings.dataset.mpdocvqa.ocrDirectory)
            layout.carvedDevQuestions = settings.dataset.mpdocvqa.devQuestions  // used when the copy has no dev.json
            return layout
        }
        let synth = syntheticConfig
        try synth.validate()
        let done = root.appendingPathComponent(".complete")
        if !FileManager.default.fileExists(atPath: done.path) {
            log?("generating the synthetic dataset in \(root.path)")
            _ = try SyntheticDatasetWriter(config: synth).write(to: root)
            try AtomicFile.write("complete\n", to: done)
        }
        return DatasetLayout(root: root)
    }

    /// Where the tokenizer of `layout` and these settings is cached.
    public func tokenizerURL(layout: DatasetLayout) -> URL {
        let datasetKey = layout.root.standardizedFileURL.path.split(separator: "/").last.map(String.init) ?? "dataset"
        return dataDirectory.appendingPathComponent("tokenizers/\(datasetKey)-v\(settings.tokenizer.vocab)-\(settings.tokenizer.digits).json")
    }

    /// The run's tokenizer: with `train.init_from`, the source run's `tokenizer.json` when it has
    /// one (the embedding rows it copies are indexed by those ids, README "Hugging Face T5 import
    /// and export"); else the BPE trained on the train split.
    public func tokenizer(layout: DatasetLayout) throws -> any TextTokenizer {
        if !settings.train.initFrom.isEmpty {
            let source = RunDirectory(URL(fileURLWithPath: settings.train.initFrom)).tokenizer
            if FileManager.default.fileExists(atPath: source.path) {
                let tokenizer = try RunTokenizer.load(source, settings: settings)
                log?("tokenizer: \(source.path) (train.init_from; \(tokenizer.modelType), \(tokenizer.vocabularySize) tokens)")
                return tokenizer
            }
        }
        return try trainedTokenizer(layout: layout)
    }

    /// The tokenizer trained on the train split (cached by dataset, vocabulary and digit mode).
    public func trainedTokenizer(layout: DatasetLayout) throws -> BPETokenizer {
        let vocab = settings.tokenizer.vocab, digits = settings.tokenizer.digits
        let url = tokenizerURL(layout: layout)
        if FileManager.default.fileExists(atPath: url.path) { return try BPETokenizer(contentsOf: url) }
        log?("training a \(vocab)-token BPE tokenizer (\(digits) digits) on \(layout.root.path) train split")
        let dataset = try MPDocVQADataset(layout: layout, split: "train")
        var trainer = try BPETrainer(vocabularySize: vocab, digits: digits, specialTokens: settings.specialTokens)
        for text in try TokenizerCorpus.texts(of: dataset, threads: ProcessInfo.processInfo.activeProcessorCount, showProgress: true) {
            trainer.add(text)
        }
        let tokenizer = trainer.train(progress: Progress("tokenizer merges", total: vocab, unit: "tokens"))
        try tokenizer.save(to: url)
        return tokenizer
    }

    /// The model's sizes and switches from `model.*`, `encoder.*`, `page_head.*`.
    public func modelConfiguration(tokenizer: any TextTokenizer) throws -> HiVT5Configuration {
        let vocab = settings.model.vocabSize
        if vocab > 0 && vocab < tokenizer.vocabularySize {
            throw ConfigError(key: "model.vocab_size", "\(vocab): expected 0 or at least the tokenizer's \(tokenizer.vocabularySize) tokens")
        }
        var m = HiVT5Configuration(vocabSize: vocab > 0 ? vocab : tokenizer.vocabularySize)
        m.modelDim = settings.model.dModel
        m.heads = settings.model.heads
        m.encoderLayers = settings.model.encoderLayers
        m.decoderLayers = settings.model.decoderLayers
        m.ffnDim = settings.model.ffn
        m.activation = settings.model.activation
        m.dropout = settings.model.dropout
        m.relativeBuckets = settings.model.relativeBuckets
        m.relativeMaxDistance = settings.model.relativeMaxDistance
        // nil at the defaults, so today's configurations stay exactly what they were.
        m.headDim = settings.model.headDim > 0 ? settings.model.headDim : nil
        m.normEpsilon = settings.model.normEps == 1e-6 ? nil : settings.model.normEps
        m.untiedOutput = settings.model.untiedOutput ? true : nil
        m.summaryTokens = settings.encoder.summaryTokens
        m.summarizer = settings.encoder.summarizer
        m.layout = settings.encoder.layout
        // nil for buckets, so today's configurations stay exactly what they were.
        m.layoutKind = settings.encoder.layout && settings.encoder.layoutEmbedding == .spatial ? .spatial : nil
        m.questionMatch = settings.encoder.questionMatch
        m.copy = settings.decoder.copy
        m.pointerEndFeature = settings.encoder.pointerEndFeature
        if settings.encoder.visual == .patches {
            m.visual = .patches
            let patch = settings.encoder.patchSize
            m.patchPixels = patch * patch
            m.patchGridSide = max(1, settings.encoder.imageSize / patch)
        }
        m.pooling = settings.pageHead.pooling
        m.pageHeadHidden = settings.pageHead.hidden
        m.padTokenId = tokenizer.paddingID
        m.eosTokenId = tokenizer.endOfSequenceID
        m.decoderStartTokenId = tokenizer.startOfSequenceID ?? tokenizer.paddingID
        do { try m.validate() } catch { throw ConfigError(key: "model", "\(error)") }
        return m
    }

    /// Batch builders of the answer pass and (with `page_head.probe`) the probe pass.
    public func batchBuilders(tokenizer: any TextTokenizer) throws -> (answer: BatchBuilder, probe: BatchBuilder?) {
        let e = settings.encoder
        func builder(prompt: String) throws -> BatchBuilder {
            var batch = BatchConfig(summarySlots: e.summarizer == .queries ? 0 : e.summaryTokens,
                                    prompt: prompt, maxQuestionTokens: e.maxQuestionTokens,
                                    maxOCRTokens: e.maxOCRTokens, maxAnswerTokens: settings.eval.maxAnswerTokens,
                                    padToMaximum: e.padToMaximum)
            batch.answerLeadingSpace = settings.decoder.targetLeadingSpace
            return try BatchBuilder(tokenizer: tokenizer, config: batch)
        }
        let answer = try builder(prompt: e.prompt)
        let probe = settings.pageHead.probe ? try builder(prompt: settings.pageHead.probePrompt) : nil
        return (answer, probe)
    }

    /// `(imageSize, patchSize)` when visual patches are on.
    public var visualPatches: (imageSize: Int, patchSize: Int)? { settings.visualPatches }
}
