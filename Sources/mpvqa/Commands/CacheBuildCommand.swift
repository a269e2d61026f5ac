import ArgumentParser
import DocData
import FeatureStore
import Foundation
import Models
import TensorCore
import Training

extension CacheCommand {
    /// `mpvqa cache --run DIR --split S [--prompt NAME] [--dtype float32|float16] [--checkpoint best|latest]`
    /// (the default subcommand; also `mpvqa cache build …`).
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Encode every (question, page) of a split with a run's frozen encoder into a feature cache.",
            discussion: """
            Writes <cache-dir>/<split>-<key>.h5 (README "Feature cache (HDF5)"): S(q, p) and the per-slot token ids, \
            rows of a question contiguous, `complete` set last. The key hashes exactly what determines the rows \
            (encoder weights incl. the token embedding, encoder switches, tokenizer, prompt template, K, d, dtype, \
            split fingerprint), so runs needing the same summaries share the file. Resumable after a kill without \
            recomputing committed questions; a complete cache is left alone.
            """)

        @Option(name: .customLong("run"), help: "Run directory whose encoder makes the summaries.")
        var runPath: String

        @Option(help: "Split to encode (train, val, test).")
        var split = "val"

        @Option(help: "Prompt name (a key of prompts:); default: the run's encoder.prompt.")
        var prompt: String?

        @Option(help: "Storage type: float32 or float16 (default: the run's train.cache_dtype).")
        var dtype: String?

        @Option(help: "Which checkpoint of the run: best or latest.")
        var checkpoint = "best"

        @Option(help: "Shared directory of feature caches (default: the run's train.cache_dir, runs/_cache).")
        var cacheDir: String?

        @Option(help: "Shared cache of generated datasets and tokenizers.")
        var dataDir = "runs/_data"

        func validate() throws {
            guard checkpoint == "best" || checkpoint == "latest" else { throw ValidationError("--checkpoint must be best or latest, got \(checkpoint)") }
            if let dtype, FeatureDType(rawValue: dtype) == nil { throw ValidationError("--dtype must be float32 or float16, got \(dtype)") }
        }

        func run() throws {
            let run = RunDirectory(URL(fileURLWithPath: runPath))
            guard FileManager.default.fileExists(atPath: run.config.path) else {
                throw ValidationError("--run \(runPath): no config.yaml; is it a run directory written by `mpvqa train`?")
            }
            var config = try ConfigDocument.parse(try String(contentsOf: run.config, encoding: .utf8), source: run.config.path).base
            if let prompt { try config.set("encoder.prompt", text: prompt, source: "--prompt") }
            if let dtype { try config.set("train.cache_dtype", text: dtype, source: "--dtype") }
            if let cacheDir { try config.set("train.cache_dir", text: cacheDir, source: "--cache-dir") }
            let settings = try RunSettings(config)
            let weights = checkpoint == "best" ? run.bestCheckpoint : run.latestCheckpoint
            guard FileManager.default.fileExists(atPath: weights.path) else {
                throw ValidationError("--checkpoint \(checkpoint): \(weights.path) does not exist")
            }
            let preparation = RunPreparation(settings: settings, dataDirectory: URL(fileURLWithPath: dataDir))
            let tokenizer = try RunTokenizer.load(run.tokenizer, settings: settings)
            var rng = SeededRNG(seed: 0)
            let model = HiVT5(try preparation.modelConfiguration(tokenizer: tokenizer), rng: &rng)
            try TrainingCheckpoint.load(into: model, optimizer: nil, from: weights)
            let layout = try preparation.dataset()
            let set = try QuestionSet.load(layout: layout, split: split, visual: preparation.visualPatches,
                                           threads: ProcessInfo.processInfo.activeProcessorCount)
            let builder = try SplitCaches.builder(model: model, settings: settings, tokenizer: tokenizer,
                                                  batchBuilder: try preparation.batchBuilders(tokenizer: tokenizer).answer,
                                                  layout: layout, split: split, directory: URL(fileURLWithPath: settings.train.cacheDir),
                                                  log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            switch try builder.build(set) {
            case .alreadyComplete:
                print("\(builder.url.path): already complete, nothing to do")
            case .built(let rows, let resumed):
                print("\(builder.url.path): wrote \(rows) rows" + (resumed > 0 ? " after \(resumed) resumed rows" : "")
                      + " (\(set.items.count) questions); cache_key \(builder.key.digest)")
            }
        }
    }
}
