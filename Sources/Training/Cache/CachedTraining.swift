import DocData
import FeatureStore
import Foundation
import Models
import NeuralNet
import RunSupport

/// `train.mode: cached` (README "Cached training"): Hi-VT5's full-document stage. The page
/// encoder is frozen — its summaries come from feature caches, built once by
/// `train.encoder_run`'s encoder (or given as external files, `train.features.*`) — and only
/// what reads summaries trains: page memory (page embeddings), decoder and page head, on
/// every page of every question, with no encoder forward pass.
///
/// The shared token embedding: with `train.encoder_run` it is **frozen**. It is the frozen
/// encoder's input embedding, so updating it through the decoder would leave the saved
/// model's encoder different from the one that made the caches (its weights hash would no
/// longer be the cache's `encoder_hash`, and end-to-end use of the checkpoint would run an
/// encoder nobody trained). Freezing keeps the checkpoint one consistent model; the decoder
/// still adapts through all of its own layers. With external features no MPVQA encoder
/// reads the embedding, so it trains with the decoder.
///
/// The span loss reads encoder token states, which are not cached: its weight is forced to 0.
/// Settings it cannot honour are refused when the config is decoded (`RunSettings`).
public final class CachedTraining {
    public let train: CachedFeatures
    /// The dev split's features: validation and the choice of `best` (never val or test).
    public let dev: CachedFeatures
    /// The parameters the optimizer updates.
    public let trainable: [NamedParameter]
    /// True when the shared token embedding is frozen (`train.encoder_run`).
    public let frozenEmbedding: Bool

    /// Where decoder, page memory and page head started, for `run.json`.
    public let initialisation: [GroupSource]

    /// Caches read, for `run.json`.
    public var records: [CacheRecord] { train.records + dev.records }

    /// The encoder run's directory, or nil with external features.
    public static func encoderRun(_ settings: RunSettings) -> RunDirectory? {
        let path = settings.train.encoderRun
        return path.isEmpty ? nil : RunDirectory(URL(fileURLWithPath: path))
    }

    /// The checkpoint of the encoder run whose encoder is frozen: best, else latest.
    public static func encoderCheckpoint(_ run: RunDirectory) throws -> URL {
        for url in [run.bestCheckpoint, run.latestCheckpoint] where FileManager.default.fileExists(atPath: url.path) { return url }
        throw ConfigError(source: run.url.path, key: "train.encoder_run", "has no checkpoint (expected \(run.bestCheckpoint.path) or latest.safetensors); train it first")
    }

    /// The tokenizer of cached training: the encoder run's (its embedding rows are indexed by it).
    public static func tokenizer(_ settings: RunSettings) throws -> (any TextTokenizer)? {
        guard let run = encoderRun(settings) else { return nil }
        guard FileManager.default.fileExists(atPath: run.tokenizer.path) else {
            throw ConfigError(source: run.url.path, key: "train.encoder_run", "has no tokenizer.json; is it an mpvqa run directory?")
        }
        return try RunTokenizer.load(run.tokenizer, settings: settings)
    }

    /// Loads the encoder run's weights into `model` (the frozen encoder, and each trainable
    /// group whose `train.init.*` is `continue`; the settings were checked against the encoder
    /// run's when they were decoded, `EncoderRunAgreement`), builds or reuses the train and dev
    /// caches, and picks the trainable parameters (`untrained` groups are frozen at their
    /// fresh values).
    public init(settings: RunSettings, model: HiVT5, tokenizer: any TextTokenizer, layout: DatasetLayout, train trainSet: QuestionSet,
                validation: [BatchItem], log: RunLog) throws {
        let say: @Sendable (String) -> Void = { log($0) }
        if settings.train.spanLossWeight != 0 {
            log("cached mode: train.span_loss_weight \(settings.train.spanLossWeight) forced to 0 (the span head reads encoder token states, which are not cached)")
        }
        if let run = Self.encoderRun(settings) {
            let checkpoint = try Self.encoderCheckpoint(run)
            let file = try SafeTensorsFile(contentsOf: checkpoint)
            try model.tokenEmbedding.loadParameters(from: file, prefix: "model.tokenEmbedding", allowUnused: true)
            try model.pageEncoder.loadParameters(from: file, prefix: "model.pageEncoder", allowUnused: true)
            try model.spanHead.loadParameters(from: file, prefix: "model.spanHead", allowUnused: true)
            let step = TrainingCheckpoint.state(of: file).step
            var sources: [GroupSource] = []
            for group in TrainableGroup.allCases {
                let choice = group.initialisation(settings.train.initialisation)
                if choice == .continued {
                    do {
                        try Self.module(group, of: model).loadParameters(from: file, prefix: "model.\(group.parameterPrefix)", allowUnused: false)
                    } catch {
                        throw ConfigError(source: checkpoint.path, key: group.key, "continue: the encoder run's \(group.rawValue) does not load (\(error)); expected fresh")
                    }
                    sources.append(GroupSource(group: group, initialisation: choice, file: checkpoint.path, step: step, seed: nil))
                } else {
                    sources.append(GroupSource(group: group, initialisation: choice, file: nil, step: nil, seed: Int(settings.train.seed)))
                }
            }
            initialisation = sources
            log("cached mode: frozen encoder and token embedding from \(checkpoint.path) (step \(step)); "
                + sources.map(\.description).joined(separator: "; "))
            let visual = settings.visualPatches  // the encoder reads patches when they are on
            let devSet = try QuestionSet.load(layout: layout, split: "dev", visual: visual, threads: ProcessInfo.processInfo.activeProcessorCount)
            train = try SplitCaches.open(model: model, settings: settings, tokenizer: tokenizer, layout: layout, set: trainSet, log: say)
            dev = try SplitCaches.open(model: model, settings: settings, tokenizer: tokenizer, layout: layout, set: devSet,
                                       checkItems: validation, log: say)
            frozenEmbedding = true
        } else {
            let expected = CachedFeatures.Expectation(summaryTokens: model.configuration.summaryTokens, modelDim: model.configuration.modelDim,
                                                      tokenizerHash: EncoderCacheKey.tokenizerHash(tokenizer))
            train = try CachedFeatures(answer: URL(fileURLWithPath: settings.train.features.train), probe: nil,
                                       items: trainSet.items, expected: expected)
            dev = try CachedFeatures(answer: URL(fileURLWithPath: settings.train.features.dev), probe: nil,
                                     items: validation, expected: expected)
            try Self.requireSameEncoder(train.answer, dev.answer)
            // No encoder run to continue from: every group starts fresh (or untrained).
            initialisation = TrainableGroup.allCases.map { group in
                let choice = group.initialisation(settings.train.initialisation)
                return GroupSource(group: group, initialisation: choice == .untrained ? .untrained : .fresh, file: nil, step: nil, seed: Int(settings.train.seed))
            }
            log("cached mode: external features \(train.answer.url.path) and \(dev.answer.url.path) (encoder_hash '\(train.answer.header.encoderHash)'); the token embedding trains with the decoder; "
                + initialisation.map(\.description).joined(separator: "; "))
            frozenEmbedding = false
        }
        for note in try CachedFeatureChecks.check(train, set: trainSet, tokenizer: tokenizer) + CachedFeatureChecks.check(dev, set: nil, tokenizer: tokenizer) {
            log(note)
        }
        let untrained = initialisation.filter { $0.initialisation == .untrained }.map { $0.group.parameterPrefix + "." }
        let frozen = (frozenEmbedding ? EncoderCacheKey.encoderPrefixes : EncoderCacheKey.encoderPrefixes.filter { $0 != "tokenEmbedding." }) + untrained
        let isFrozen: (NamedParameter) -> Bool = { p in frozen.contains { p.name.hasPrefix($0) } }
        trainable = model.namedParameters.filter { !isFrozen($0) }
        // Frozen leaves are constants to autodiff: no gradient is computed for them (e.g. the
        // tied vocabulary projection's weight gradient).
        for p in model.namedParameters where isFrozen(p) { p.tensor.setFrozen(true) }
        log("cached mode: training \(trainable.reduce(0) { $0 + $1.tensor.count }) of \(model.parameterCount) parameters (\(Set(trainable.map { String($0.name.prefix { $0 != "." }) }).sorted().joined(separator: ", "))) on full documents")
    }

    /// The module of a trainable group.
    static func module(_ group: TrainableGroup, of model: HiVT5) -> any Module {
        switch group {
        case .decoder: return model.decoder
        case .pageMemory: return model.pageMemory
        case .pageHead: return model.pageHead
        }
    }

    /// External train and dev files must come from one encoder, prompt, K and d.
    static func requireSameEncoder(_ a: FeatureCacheReader, _ b: FeatureCacheReader) throws {
        let pairs: [(String, String, String)] = [
            ("encoder_hash", a.header.encoderHash, b.header.encoderHash),
            ("prompt_template", a.header.promptTemplate, b.header.promptTemplate),
            ("tokenizer_hash", a.header.tokenizerHash ?? "(absent)", b.header.tokenizerHash ?? "(absent)"),
        ]
        for (name, x, y) in pairs where x != y {
            throw FeatureCacheError(.mismatch, file: b.url.path, field: FeatureCacheError.attribute(name),
                                    "is '\(y)' but the train file \(a.url.path) has '\(x)'; train and val features must come from the same encoder")
        }
    }
}
