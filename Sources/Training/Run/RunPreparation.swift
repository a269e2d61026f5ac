import DocData
import Foundation
import Models
import RunSupport

/// Builds what a run needs from its config: the dataset on disk (generating the synthetic
/// one when asked), the tokenizer, the model configuration and the batch builders. Data and
/// tokenizers are cached under `dataDirectory`, keyed by the settings that determine them,
/// so every run (and grid cell) with the same settings shares them.
public struct RunPreparation {
    public let config: Config
    /// Shared cache of generated datasets and trained tokenizers.
    public let dataDirectory: URL
    public let log: RunLog?

    public init(config: Config, dataDirectory: URL, log: RunLog? = nil) {
        self.config = config
        self.dataDirectory = dataDirectory
        self.log = log
    }

    /// The synthetic generator settings of `dataset.synthetic.*`.
    public var syntheticConfig: SyntheticConfig {
        var s = SyntheticConfig()
        s.trainQuestions = config.int("dataset.synthetic.train")
        s.valQuestions = config.int("dataset.synthetic.val")
        s.testQuestions = config.int("dataset.synthetic.test")
        s.seed = UInt64(config.int("dataset.synthetic.seed"))
        s.minPages = config.int("dataset.synthetic.min_pages")
        s.maxPages = config.int("dataset.synthetic.max_pages")
        s.distractorRate = config.double("dataset.synthetic.distractor_rate")
        s.ocrNoiseRate = config.double("dataset.synthetic.ocr_noise")
        s.imageFormat = SyntheticImageFormat(rawValue: config.string("dataset.synthetic.image_format")) ?? .png
        return s
    }

    /// Where submitted answers come from (`eval.answer`).
    public var answerSource: AnswerSource { AnswerSource(rawValue: config.string("eval.answer")) ?? .generate }

    /// The evaluator of a run's model: extracts span-head answers when they are submitted or
    /// the span head is trained (then both kinds of answer are reported).
    public func evaluator(model: HiVT5, tokenizer: BPETokenizer, builders: (BatchBuilder, BatchBuilder?), beams: Int) -> Evaluator {
        Evaluator(model: model, tokenizer: tokenizer, builder: builders.0, probeBuilder: builders.1,
                  options: GenerationOptions(maxLength: config.int("eval.max_answer_tokens"), beams: beams),
                  batchSize: max(1, config.int("train.batch_questions")),
                  extractSpans: answerSource == .extract || config.double("train.span_loss_weight") > 0)
    }

    /// True when the run reads a released MP-DocVQA copy instead of the synthetic set.
    public var usesReleasedDataset: Bool { !config.string("dataset.mpdocvqa.root").isEmpty }

    /// Where the synthetic set of these settings is cached (nil for a released dataset).
    public var syntheticRoot: URL? {
        guard !usesReleasedDataset else { return nil }
        let synth = syntheticConfig
        let key = "synthetic-s\(synth.seed)-\(synth.trainQuestions)-\(synth.valQuestions)-\(synth.testQuestions)-p\(synth.minPages)_\(synth.maxPages)"
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
            return DatasetLayout(root: URL(fileURLWithPath: config.string("dataset.mpdocvqa.root")),
                                 imagesDirectory: config.string("dataset.mpdocvqa.images_dir"),
                                 ocrDirectory: config.string("dataset.mpdocvqa.ocr_dir"))
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
        let vocab = config.int("tokenizer.vocab"), digits = config.string("tokenizer.digits")
        let datasetKey = layout.root.standardizedFileURL.path.split(separator: "/").last.map(String.init) ?? "dataset"
        return dataDirectory.appendingPathComponent("tokenizers/\(datasetKey)-v\(vocab)-\(digits).json")
    }

    /// The tokenizer trained on the train split (cached by dataset, vocabulary and digit mode).
    public func tokenizer(layout: DatasetLayout) throws -> BPETokenizer {
        let vocab = config.int("tokenizer.vocab"), digits = config.string("tokenizer.digits")
        let url = tokenizerURL(layout: layout)
        if FileManager.default.fileExists(atPath: url.path) { return try BPETokenizer(contentsOf: url) }
        log?("training a \(vocab)-token BPE tokenizer (\(digits) digits) on \(layout.root.path) train split")
        let dataset = try MPDocVQADataset(layout: layout, split: "train")
        var trainer = BPETrainer(vocabularySize: vocab, digits: digits == "individual" ? .individual : .grouped,
                                 specialTokens: SpecialTokens(pageSlotCount: max(32, config.int("encoder.summary_tokens"))))
        for text in try TokenizerCorpus.texts(of: dataset, threads: ProcessInfo.processInfo.activeProcessorCount, showProgress: true) {
            trainer.add(text)
        }
        let tokenizer = trainer.train(progress: Progress("tokenizer merges", total: vocab, unit: "tokens"))
        try tokenizer.save(to: url)
        return tokenizer
    }

    /// The model's sizes and switches from `model.*`, `encoder.*`, `page_head.*`.
    public func modelConfiguration(tokenizer: BPETokenizer) throws -> HiVT5Configuration {
        var m = HiVT5Configuration(vocabSize: tokenizer.vocabularySize)
        m.modelDim = config.int("model.d_model")
        m.heads = config.int("model.heads")
        m.encoderLayers = config.int("model.encoder_layers")
        m.decoderLayers = config.int("model.decoder_layers")
        m.ffnDim = config.int("model.ffn")
        m.activation = switch config.string("model.activation") { case "relu": .relu; case "gated_gelu": .gatedGELU; default: .gelu }
        m.dropout = config.double("model.dropout")
        m.relativeBuckets = config.int("model.relative_buckets")
        m.relativeMaxDistance = config.int("model.relative_max_distance")
        m.summaryTokens = config.int("encoder.summary_tokens")
        m.summarizer = HiVT5Configuration.Summarizer(rawValue: config.string("encoder.summarizer")) ?? .pageTokens
        m.layout = config.bool("encoder.layout")
        m.questionMatch = config.bool("encoder.question_match")
        m.copy = config.bool("decoder.copy")
        if config.string("encoder.visual") == "patches" {
            m.visual = .patches
            let patch = config.int("encoder.patch_size")
            m.patchPixels = patch * patch
            m.patchGridSide = max(1, config.int("encoder.image_size") / patch)
        }
        m.pooling = HiVT5Configuration.Pooling(rawValue: config.string("page_head.pooling")) ?? .attention
        m.pageHeadHidden = config.int("page_head.hidden")
        m.padTokenId = tokenizer.paddingID
        m.eosTokenId = tokenizer.endOfSequenceID
        m.decoderStartTokenId = tokenizer.startOfSequenceID ?? tokenizer.paddingID
        do { try m.validate() } catch { throw ConfigError(key: "model", "\(error)") }
        return m
    }

    /// Batch builders of the answer pass and (with `page_head.probe`) the probe pass.
    public func batchBuilders(tokenizer: BPETokenizer) throws -> (answer: BatchBuilder, probe: BatchBuilder?) {
        func builder(promptKey: String) throws -> BatchBuilder {
            let template = try config.prompt(config.string(promptKey), referencedBy: promptKey)
            let batch = BatchConfig(summarySlots: config.string("encoder.summarizer") == "queries" ? 0 : config.int("encoder.summary_tokens"),
                                    prompt: template, maxQuestionTokens: config.int("encoder.max_question_tokens"),
                                    maxOCRTokens: config.int("encoder.max_ocr_tokens"), maxAnswerTokens: config.int("eval.max_answer_tokens"),
                                    padToMaximum: config.bool("encoder.pad_to_maximum"))
            return try BatchBuilder(tokenizer: tokenizer, config: batch)
        }
        let answer = try builder(promptKey: "encoder.prompt")
        let probe = config.bool("page_head.probe") ? try builder(promptKey: "page_head.probe_prompt") : nil
        return (answer, probe)
    }

    /// `(imageSize, patchSize)` when visual patches are on.
    public var visualPatches: (imageSize: Int, patchSize: Int)? {
        config.string("encoder.visual") == "patches" ? (config.int("encoder.image_size"), config.int("encoder.patch_size")) : nil
    }
}
