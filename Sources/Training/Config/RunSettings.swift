import DocData
import FeatureStore
import Foundation
import Models
import NeuralNet

/// The typed settings of a run, decoded once from a validated `Config`: every schema key is a
/// field of one section struct, every choice an enum, and the cross-key rules (heads divide
/// d_model, warm-up ≤ steps, vocabulary ≥ byte alphabet + special tokens, page window ≤ pages
/// per document, prompts defined, ...) hold. Code after decoding reads these fields only.
///
/// ```swift
/// var config = try Config.load(URL(fileURLWithPath: "experiments/demo.yaml"))
/// try config.apply(overrides: ["train.steps=50"])
/// let settings = try RunSettings(config)   // throws `FILE:LINE: key: value: expected …`
/// print(settings.train.steps, settings.model.dModel)
/// ```
public struct RunSettings: Equatable, Sendable {
    /// `dataset.synthetic.*`
    public struct Synthetic: Equatable, Sendable {
        public var train: Int, val: Int, test: Int
        /// Questions of the dev split (the key's 0 resolved to `val`).
        public var dev: Int
        public var seed: UInt64
        public var minPages: Int, maxPages: Int
        public var distractorRate: Double, ocrNoise: Double
        public var imageFormat: SyntheticImageFormat
        public var online: Bool
    }

    /// `dataset.mpdocvqa.*`
    public struct ReleasedDataset: Equatable, Sendable {
        /// Empty: the run uses the synthetic set.
        public var root: String
        public var imagesDirectory: String
        public var ocrDirectory: String
        /// Questions carved from train as dev when the copy has no dev question file.
        public var devQuestions: Int
    }

    /// `dataset.*`
    public struct Dataset: Equatable, Sendable {
        public var synthetic: Synthetic
        public var mpdocvqa: ReleasedDataset
        /// True when the run reads a released MP-DocVQA copy instead of the synthetic set.
        public var usesReleasedDataset: Bool { !mpdocvqa.root.isEmpty }
    }

    /// `tokenizer.*`
    public struct Tokenizer: Equatable, Sendable {
        public var vocab: Int
        public var digits: DigitSplitting
    }

    /// `model.*`
    public struct Model: Equatable, Sendable {
        public var dModel: Int, heads: Int, encoderLayers: Int, decoderLayers: Int, ffn: Int
        public var activation: FeedForward.Activation
        public var dropout: Double
        public var relativeBuckets: Int, relativeMaxDistance: Int
        /// `model.head_dim` (0 = d_model / heads), `model.norm_eps`, `model.untied_output`,
        /// `model.vocab_size` (0 = the tokenizer's): imported T5 shapes.
        public var headDim = 0, normEps = 1e-6, untiedOutput = false, vocabSize = 0
    }

    /// `encoder.*`; `prompt` is the resolved template of the prompt named by `encoder.prompt`.
    public struct Encoder: Equatable, Sendable {
        public var summaryTokens: Int
        public var summarizer: HiVT5Configuration.Summarizer
        public var promptName: String, prompt: String
        public var layout: Bool, questionMatch: Bool, pointerEndFeature: Bool
        /// `encoder.layout_embedding` (read when `layout` is on).
        public var layoutEmbedding: HiVT5Configuration.LayoutKind = .buckets
        public var visual: HiVT5Configuration.Visual
        public var imageSize: Int, patchSize: Int
        public var maxOCRTokens: Int, padToMaximum: Bool, maxQuestionTokens: Int
    }

    /// `decoder.*`
    public struct Decoder: Equatable, Sendable {
        /// The copy path (pointer-generator over the memory slots' source tokens).
        public var copy: Bool
        /// Answer targets in the OCR words' leading-space form (`decoder.target_leading_space`).
        public var targetLeadingSpace: Bool
    }

    /// `page_head.*`; `probePrompt` is the resolved template of `page_head.probe_prompt`.
    public struct PageHead: Equatable, Sendable {
        public var pooling: HiVT5Configuration.Pooling
        public var probe: Bool
        public var probePromptName: String, probePrompt: String
        public var hidden: Int
    }

    /// `train.mode`: everything end to end, or decoder + head on cached encoder summaries.
    public enum TrainMode: String, Equatable, Sendable, CaseIterable { case endToEnd = "end_to_end", cached }

    /// `train.answer_draw`: which gold answer a training target is drawn from.
    public enum AnswerDraw: String, Equatable, Sendable, CaseIterable { case extractive, any }

    /// `train.*`
    public struct Train: Equatable, Sendable {
        public var mode: TrainMode
        /// Cached mode: the run whose frozen encoder makes the caches ("" = external features).
        public var encoderRun: String
        /// Cached mode: external cache files (`train.features.train`, `.dev`, `.val`, `.test`; "" = none).
        public var features: Features
        /// Cached mode: where decoder, page memory and page head start (`train.init.*`).
        public var initialisation: Initialisation
        /// Shared directory of feature caches.
        public var cacheDir: String
        /// Storage type of the caches cached mode builds.
        public var cacheDType: FeatureDType
        /// Questions per encoder batch while building a cache (larger batches give the
        /// length groups more rows to sort, so less padding and larger products).
        public var cacheBatchQuestions: Int
        public var steps: Int
        public var timeLimitMinutes: Double
        public var batchQuestions: Int
        public var lr: Double
        public var warmupSteps: Int
        public var schedule: LearningRateSchedule.Decay
        public var weightDecay: Double, clipNorm: Double
        public var pageLossWeight: Double, spanLossWeight: Double, containsLossWeight: Double
        public var pageWindow: Int, singlePageWarmupSteps: Int, windowPageOffsets: Bool
        public var answerDraw: AnswerDraw
        public var seed: UInt64
        public var evalEvery: Int, evalQuestions: Int, threads: Int
        /// `train.init_from`: a run whose checkpoint initialises matching parameters ("" = none).
        public var initFrom = ""
    }

    /// `train.init.*`: how each trainable group of a cached run starts.
    public struct Initialisation: Equatable, Sendable {
        public var decoder: GroupInitialisation, pageMemory: GroupInitialisation, pageHead: GroupInitialisation
    }

    /// `train.features.*`: external cache files of the train and dev splits.
    public struct Features: Equatable, Sendable {
        public var train: String, dev: String
        /// Files only `mpvqa eval` reads (never training or selection).
        public var val: String, test: String
        public var isEmpty: Bool { train.isEmpty && dev.isEmpty }
    }

    /// `eval.*`
    public struct Eval: Equatable, Sendable {
        public var beams: Int
        public var maxAnswerTokens: Int
        public var answer: AnswerSource
        public var memoryPages: GenerationOptions.MemoryPages
    }

    public var name: String
    public var dataset: Dataset
    public var tokenizer: Tokenizer
    public var model: Model
    public var encoder: Encoder
    public var decoder: Decoder
    public var pageHead: PageHead
    public var train: Train
    public var eval: Eval
    /// How the run trains (end to end, or cached on an encoder run or external features),
    /// resolved from `train.*` when the settings are read.
    public let mode: TrainingMode
    /// The resolved configuration these settings were decoded from (written as `config.yaml`).
    public let config: Config

    /// The resolved configuration as YAML (every key).
    public var yaml: String { config.yaml }

    /// Decodes and checks `config`; all problems are reported at once, one line each, as
    /// `FILE:LINE: key: value: expected …`. `encoderFromPlan`: a cached run may leave its
    /// encoder unnamed (an experiment plan trains it; `TrainingMode.cachedOnPlannedEncoder`).
    public init(_ config: Config, encoderFromPlan: Bool = false) throws {
        var r = RawSettingsReader(config)
        self.config = config
        name = r.string("name")
        let valQuestions = r.int("dataset.synthetic.val"), devQuestions = r.int("dataset.synthetic.dev")  // dev 0: as many as val
        dataset = Dataset(
            synthetic: Synthetic(train: r.int("dataset.synthetic.train"), val: valQuestions,
                                 test: r.int("dataset.synthetic.test"),
                                 dev: devQuestions == 0 ? valQuestions : devQuestions, seed: UInt64(max(0, r.int("dataset.synthetic.seed"))),
                                 minPages: r.int("dataset.synthetic.min_pages"), maxPages: r.int("dataset.synthetic.max_pages"),
                                 distractorRate: r.double("dataset.synthetic.distractor_rate"), ocrNoise: r.double("dataset.synthetic.ocr_noise"),
                                 imageFormat: r.choice("dataset.synthetic.image_format", default: .png), online: r.bool("dataset.synthetic.online")),
            mpdocvqa: ReleasedDataset(root: r.string("dataset.mpdocvqa.root"), imagesDirectory: r.string("dataset.mpdocvqa.images_dir"),
                                      ocrDirectory: r.string("dataset.mpdocvqa.ocr_dir"), devQuestions: r.int("dataset.mpdocvqa.dev_questions")))
        tokenizer = Tokenizer(vocab: r.int("tokenizer.vocab"), digits: r.choice("tokenizer.digits", default: .individual))
        model = Model(dModel: r.int("model.d_model"), heads: r.int("model.heads"), encoderLayers: r.int("model.encoder_layers"),
                      decoderLayers: r.int("model.decoder_layers"), ffn: r.int("model.ffn"),
                      activation: RunSettings.activation(r.string("model.activation")), dropout: r.double("model.dropout"),
                      relativeBuckets: r.int("model.relative_buckets"), relativeMaxDistance: r.int("model.relative_max_distance"))
        model.headDim = r.int("model.head_dim")
        model.normEps = r.double("model.norm_eps")
        model.untiedOutput = r.bool("model.untied_output")
        model.vocabSize = r.int("model.vocab_size")
        let promptName = r.string("encoder.prompt"), probePromptName = r.string("page_head.probe_prompt")
        encoder = Encoder(summaryTokens: r.int("encoder.summary_tokens"), summarizer: r.choice("encoder.summarizer", default: .pageTokens),
                          promptName: promptName, prompt: config.prompts[promptName] ?? "",
                          layout: r.bool("encoder.layout"), questionMatch: r.bool("encoder.question_match"),
                          pointerEndFeature: r.bool("encoder.pointer_end_feature"),
                          visual: r.choice("encoder.visual", default: .none), imageSize: r.int("encoder.image_size"),
                          patchSize: r.int("encoder.patch_size"), maxOCRTokens: r.int("encoder.max_ocr_tokens"),
                          padToMaximum: r.bool("encoder.pad_to_maximum"), maxQuestionTokens: r.int("encoder.max_question_tokens"))
        decoder = Decoder(copy: r.bool("decoder.copy"), targetLeadingSpace: r.bool("decoder.target_leading_space"))
        pageHead = PageHead(pooling: r.choice("page_head.pooling", default: .attention), probe: r.bool("page_head.probe"),
                            probePromptName: probePromptName, probePrompt: config.prompts[probePromptName] ?? "",
                            hidden: r.int("page_head.hidden"))
        train = Train(mode: r.choice("train.mode", default: .endToEnd), encoderRun: r.string("train.encoder_run"),
                      features: Features(train: r.string("train.features.train"), dev: r.string("train.features.dev"),
                                         val: r.string("train.features.val"), test: r.string("train.features.test")),
                      initialisation: Initialisation(decoder: r.choice("train.init.decoder", default: .continued),
                                                     pageMemory: r.choice("train.init.page_memory", default: .continued),
                                                     pageHead: r.choice("train.init.page_head", default: .fresh)),
                      cacheDir: r.string("train.cache_dir"), cacheDType: r.choice("train.cache_dtype", default: .float32),
                      cacheBatchQuestions: r.int("train.cache_batch_questions"),
                      steps: r.int("train.steps"), timeLimitMinutes: r.double("train.time_limit_minutes"),
                      batchQuestions: r.int("train.batch_questions"), lr: r.double("train.lr"), warmupSteps: r.int("train.warmup_steps"),
                      schedule: r.choice("train.schedule", default: .cosine), weightDecay: r.double("train.weight_decay"),
                      clipNorm: r.double("train.clip_norm"), pageLossWeight: r.double("train.page_loss_weight"),
                      spanLossWeight: r.double("train.span_loss_weight"), containsLossWeight: r.double("train.contains_loss_weight"),
                      pageWindow: r.int("train.page_window"), singlePageWarmupSteps: r.int("train.single_page_warmup_steps"),
                      windowPageOffsets: r.bool("train.window_page_offsets"),
                      answerDraw: r.choice("train.answer_draw", default: .extractive), seed: UInt64(max(0, r.int("train.seed"))),
                      evalEvery: r.int("train.eval_every"), evalQuestions: r.int("train.eval_questions"), threads: r.int("train.threads"))
        train.initFrom = r.string("train.init_from")
        encoder.layoutEmbedding = r.choice("encoder.layout_embedding", default: .buckets)
        mode = TrainingMode.resolve(train, encoderFromPlan: encoderFromPlan)
        eval = Eval(beams: r.int("eval.beams"), maxAnswerTokens: r.int("eval.max_answer_tokens"), answer: r.choice("eval.answer", default: .generate),
                    memoryPages: r.choice("eval.memory_pages", default: .all))
        r.checkEveryKeyRead()
        var problems = r.problems
        problems += crossKeyProblems()
        try ConfigProblems.throwIfAny(problems)
    }

    /// The special tokens of this run's tokenizer (page slots cover the summary tokens).
    public var specialTokens: SpecialTokens { SpecialTokens(pageSlotCount: max(32, encoder.summaryTokens)) }

    /// The rules that tie keys together; each problem is reported at the key the user set.
    func crossKeyProblems() -> [ConfigError] {
        var problems: [ConfigError] = []
        // A rule between two keys is reported at the first one the user set (or the first one
        // when both are defaults), with the expectation phrased for that key.
        func fail(_ first: (key: String, expected: String), _ second: (key: String, expected: String)? = nil) {
            let blame = second.map { config.location(of: first.key) == nil && config.location(of: $0.key) != nil ? $0 : first } ?? first
            let at = config.location(of: blame.key) ?? config.sourceName
            let value = config.rawValue(blame.key).map { Config.shown($0.description, quoted: false) } ?? "?"
            problems.append(ConfigError(source: at, key: blame.key, "\(value): expected \(blame.expected)"))
        }
        func setting(_ key: String, _ value: CustomStringConvertible) -> String {
            "\(key) (\(value)\(config.location(of: key) == nil ? ", the default" : ""))"
        }
        if model.headDim == 0 && model.dModel % model.heads != 0 {
            fail(("model.heads", "a divisor of \(setting("model.d_model", model.dModel))"),
                 ("model.d_model", "a multiple of \(setting("model.heads", model.heads))"))
        }
        if model.relativeMaxDistance <= model.relativeBuckets / 2 {
            fail(("model.relative_max_distance", "more than half of \(setting("model.relative_buckets", model.relativeBuckets)) (T5's logarithmic buckets start there)"),
                 ("model.relative_buckets", "less than twice \(setting("model.relative_max_distance", model.relativeMaxDistance))"))
        }
        if train.warmupSteps > train.steps {
            fail(("train.warmup_steps", "at most \(setting("train.steps", train.steps))"),
                 ("train.steps", "at least \(setting("train.warmup_steps", train.warmupSteps))"))
        }
        if train.singlePageWarmupSteps > train.steps {
            fail(("train.single_page_warmup_steps", "at most \(setting("train.steps", train.steps))"),
                 ("train.steps", "at least \(setting("train.single_page_warmup_steps", train.singlePageWarmupSteps))"))
        }
        let minimumVocab = 256 + specialTokens.all.count
        if tokenizer.vocab < minimumVocab {
            fail(("tokenizer.vocab", "at least \(minimumVocab) (256 byte tokens + \(specialTokens.all.count) special tokens)"))
        }
        if dataset.synthetic.minPages > dataset.synthetic.maxPages {
            fail(("dataset.synthetic.min_pages", "at most \(setting("dataset.synthetic.max_pages", dataset.synthetic.maxPages))"),
                 ("dataset.synthetic.max_pages", "at least \(setting("dataset.synthetic.min_pages", dataset.synthetic.minPages))"))
        }
        if !dataset.usesReleasedDataset, train.pageWindow > dataset.synthetic.maxPages {
            fail(("train.page_window", "at most \(setting("dataset.synthetic.max_pages", dataset.synthetic.maxPages)), or 0 for all pages"),
                 ("dataset.synthetic.max_pages", "at least \(setting("train.page_window", train.pageWindow))"))
        }
        if encoder.visual == .patches, encoder.imageSize % encoder.patchSize != 0 {
            fail(("encoder.patch_size", "a divisor of \(setting("encoder.image_size", encoder.imageSize))"),
                 ("encoder.image_size", "a multiple of \(setting("encoder.patch_size", encoder.patchSize))"))
        }
        let defined = config.prompts.keys.sorted().joined(separator: ", ")
        if config.prompts[encoder.promptName] == nil {
            fail(("encoder.prompt", "a prompt defined under prompts: (\(defined))"))
        }
        if !encoder.layout, encoder.layoutEmbedding == .spatial {
            fail(("encoder.layout_embedding", "buckets while \(setting("encoder.layout", encoder.layout)) (there are no layout embeddings)"),
                 ("encoder.layout", "true for encoder.layout_embedding: spatial"))
        }
        if pageHead.probe, config.prompts[pageHead.probePromptName] == nil {
            fail(("page_head.probe_prompt", "a prompt defined under prompts: (\(defined))"))
        }
        problems += cachedModeProblems()
        return problems
    }

    /// `model.activation` spells the gated GELU the YAML way.
    static func activation(_ text: String) -> FeedForward.Activation {
        switch text { case "relu": return .relu; case "gated_gelu": return .gatedGELU; default: return .gelu }
    }

    // MARK: Derived settings

    /// The synthetic generator settings of `dataset.synthetic.*`.
    public var syntheticConfig: SyntheticConfig {
        var s = SyntheticConfig()
        s.trainQuestions = dataset.synthetic.train
        s.valQuestions = dataset.synthetic.val
        s.testQuestions = dataset.synthetic.test
        s.devQuestions = dataset.synthetic.dev
        s.seed = dataset.synthetic.seed
        s.minPages = dataset.synthetic.minPages
        s.maxPages = dataset.synthetic.maxPages
        s.distractorRate = dataset.synthetic.distractorRate
        s.ocrNoiseRate = dataset.synthetic.ocrNoise
        s.imageFormat = dataset.synthetic.imageFormat
        return s
    }

    /// `(imageSize, patchSize)` when visual patches are on.
    public var visualPatches: (imageSize: Int, patchSize: Int)? {
        encoder.visual == .patches ? (encoder.imageSize, encoder.patchSize) : nil
    }
}

/// Reads raw schema values for `RunSettings` (the one place that looks keys up by name),
/// recording which keys were read so a key added to the schema but not decoded is caught.
struct RawSettingsReader {
    let config: Config
    private(set) var problems: [ConfigError] = []
    private var read: Set<String> = []

    init(_ config: Config) { self.config = config }

    private mutating func raw(_ key: String) -> ConfigValue? {
        read.insert(key)
        guard let v = config.rawValue(key) else {
            problems.append(ConfigError(key: key, "internal: the schema has no key \(key)"))
            return nil
        }
        return v
    }

    mutating func int(_ key: String) -> Int {
        if case .int(let v)? = raw(key) { return v }
        problems.append(ConfigError(key: key, "internal: not an integer key")); return 1
    }

    mutating func double(_ key: String) -> Double {
        switch raw(key) {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: problems.append(ConfigError(key: key, "internal: not a number key")); return 1
        }
    }

    mutating func bool(_ key: String) -> Bool {
        if case .bool(let v)? = raw(key) { return v }
        problems.append(ConfigError(key: key, "internal: not a boolean key")); return false
    }

    mutating func string(_ key: String) -> String {
        if case .string(let v)? = raw(key) { return v }
        problems.append(ConfigError(key: key, "internal: not a text key")); return ""
    }

    mutating func choice<T: RawRepresentable>(_ key: String, default fallback: T) -> T where T.RawValue == String {
        let text = string(key)
        guard let v = T(rawValue: text) else {
            problems.append(ConfigError(key: key, "internal: '\(text)' is in the schema but has no case")); return fallback
        }
        return v
    }

    /// Every schema key must be decoded exactly by name (a typo or a forgotten key fails the
    /// default-config test instead of silently ignoring a user's setting).
    mutating func checkEveryKeyRead() {
        for key in ConfigSchema.keys.map(\.name) where !read.contains(key) {
            problems.append(ConfigError(key: key, "internal: RunSettings does not decode this key"))
        }
    }
}
