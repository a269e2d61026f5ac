import Foundation
import Models
import NeuralNet
import RunSupport
import TensorCore

/// A Hugging Face `T5ForConditionalGeneration` directory read into a Hi-VT5 model (README
/// "Hugging Face T5 import and export"): the T5 part from the checkpoint through
/// `HFT5TensorMap`, the Hi-VT5 parts from the export side file when the directory has one,
/// else fresh.
///
/// Fresh parts that add to T5's inputs (segment, page, slot, layout, position and
/// question-match embeddings) start at zero, so the imported model computes exactly the T5
/// it was given until training moves them; the page and span heads start random.
///
/// ```swift
/// let imported = try HFT5Import(directory: URL(fileURLWithPath: "flan-t5-small"))
/// try imported.writeRun(to: URL(fileURLWithPath: "runs/flan-small"))
/// ```
public struct HFT5Import {
    /// The side file of the Hi-VT5 parts an export writes beside the T5 checkpoint.
    public static let extrasFile = "mpvqa_extras.safetensors"
    /// Metadata key of the side file holding the `HiVT5Configuration` JSON.
    public static let configurationKey = "mpvqa.model_configuration"
    /// Fresh parameters under these prefixes start at zero (they are added to T5's inputs; of
    /// the spatial embedding only its output projection, so its tables still get gradients).
    static let additivePrefixes = ["pageEncoder.segmentEmbedding.", "pageEncoder.layout.", "pageEncoder.spatial.projection.",
                                   "pageEncoder.questionMatchEmbedding.",
                                   "pageMemory.pageEmbedding.", "pageMemory.slotEmbedding.", "decoder.positionEmbedding."]

    public let directory: URL
    public let t5: HFT5Config
    public let model: HiVT5
    /// MPVQA names of the parameters read from the T5 checkpoint.
    public let fromCheckpoint: [String]
    /// MPVQA names of the parameters read from the side file.
    public let fromExtras: [String]
    /// MPVQA names of the parameters that start fresh (zero or random).
    public let fresh: [String]

    /// Reads `directory`. `base` gives the Hi-VT5 settings (summary tokens, page head, …)
    /// when the directory has no side file; `seed` draws the fresh parameters.
    public init(directory: URL, base: HiVT5Configuration? = nil, seed: UInt64 = 1) throws {
        self.directory = directory
        t5 = try HFT5Config(contentsOf: directory.appendingPathComponent("config.json"))
        let extrasURL = directory.appendingPathComponent(Self.extrasFile)
        let extras = FileManager.default.fileExists(atPath: extrasURL.path) ? try Self.openExtras(extrasURL) : nil
        var fallback = HiVT5Configuration(vocabSize: t5.vocabSize)
        fallback.dropout = min(max(t5.dropoutRate, 0), 0.9)
        let configuration = t5.modelConfiguration(base: extras?.configuration ?? base ?? fallback)
        do { try configuration.validate() } catch {
            throw HFImportError(file: directory.appendingPathComponent("config.json").path, "no Hi-VT5 model of this shape: \(error)")
        }
        var rng = SeededRNG(seed: seed)
        model = HiVT5(configuration, rng: &rng)

        let checkpoint = try HFSafeTensorsCheckpoint(directory: directory)
        let map = HFT5TensorMap(t5)
        let shapes = Dictionary(model.namedParameters.map { ($0.name, $0.tensor.shape) }, uniquingKeysWith: { a, _ in a })
        // Names and shapes first, so a bad checkpoint writes nothing.
        for (hf, mine) in map.pairs {
            guard let found = checkpoint.shape(hf) else {
                throw HFImportError(file: checkpoint.description, subject: hf, "missing tensor (config.json implies shape \(shapes[mine]!))")
            }
            guard found == shapes[mine]! else {
                throw HFImportError(file: checkpoint.fileName(of: hf), subject: hf,
                                    "shape \(found) disagrees with config.json, which implies \(shapes[mine]!)")
            }
        }
        let mapped = Set(map.pairs.map(\.hf))
        for name in checkpoint.names where !mapped.contains(name) {
            guard map.aliases.contains(name) else {
                throw HFImportError(file: checkpoint.fileName(of: name), subject: name,
                                    "unexpected tensor: not part of a T5ForConditionalGeneration of this config")
            }
            guard checkpoint.shape(name) == shapes["tokenEmbedding.weight"]! else {
                throw HFImportError(file: checkpoint.fileName(of: name), subject: name,
                                    "shape \(checkpoint.shape(name)!) disagrees with config.json, which implies \(shapes["tokenEmbedding.weight"]!)")
            }
        }
        var values: [String: Tensor] = [:]
        for (hf, mine) in map.pairs { values[mine] = try checkpoint.tensor(hf) }
        try model.assignParameters(values, source: checkpoint.description)
        fromCheckpoint = map.pairs.map(\.mpvqa)

        let rest = model.namedParameters.filter { !map.mpvqaNames.contains($0.name) }
        if let extras {
            var extraValues: [String: Tensor] = [:]
            for p in rest {
                guard let entry = extras.file.entry(p.name) else {
                    throw HFImportError(file: extrasURL.path, subject: p.name, "missing tensor (the model configuration implies shape \(p.tensor.shape))")
                }
                guard entry.shape == p.tensor.shape else {
                    throw HFImportError(file: extrasURL.path, subject: p.name, "shape \(entry.shape) disagrees with the model configuration, which implies \(p.tensor.shape)")
                }
                extraValues[p.name] = try extras.file.tensor(p.name)
            }
            let wanted = Set(rest.map(\.name))
            if let stray = extras.file.names.first(where: { !wanted.contains($0) }) {
                throw HFImportError(file: extrasURL.path, subject: stray, "unexpected tensor: not a Hi-VT5 part of this model")
            }
            try model.assignParameters(extraValues, source: extrasURL.path)
            fromExtras = rest.map(\.name)
            fresh = []
        } else {
            var zeros: [String: Tensor] = [:]
            for p in rest where Self.additivePrefixes.contains(where: { p.name.hasPrefix($0) }) {
                zeros[p.name] = Tensor.zeros(p.tensor.shape, dtype: p.tensor.dtype)
            }
            try model.assignParameters(zeros)
            fromExtras = []
            fresh = rest.map(\.name)
        }
    }

    /// The side file and the model configuration in its metadata.
    static func openExtras(_ url: URL) throws -> (file: SafeTensorsFile, configuration: HiVT5Configuration) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw HFImportError(file: url.path, "\(error)".replacingOccurrences(of: "\(url.path): ", with: ""))
        }
        guard let json = file.metadata[configurationKey],
              let configuration = try? JSONDecoder().decode(HiVT5Configuration.self, from: Data(json.utf8)) else {
            throw HFImportError(file: url.path, subject: configurationKey, "metadata missing or not a Hi-VT5 model configuration")
        }
        return (file, configuration)
    }

    /// One line per group of parameters: what came from where (the command prints it).
    public var summary: [String] {
        var lines = ["T5 part: \(fromCheckpoint.count) tensors from \(directory.path) (\(t5.feedForwardProj), \(t5.tieWordEmbeddings ? "tied" : "untied") output, d_model \(t5.dModel), d_kv \(t5.dKV), \(t5.numHeads) heads, \(t5.numLayers)+\(t5.numDecoderLayers) layers, vocab \(t5.vocabSize))"]
        if !fromExtras.isEmpty { lines.append("Hi-VT5 parts: \(fromExtras.count) tensors from \(Self.extrasFile)") }
        if !fresh.isEmpty {
            let groups = Set(fresh.map { $0.split(separator: ".").prefix(2).joined(separator: ".") }).sorted()
            lines.append("Hi-VT5 parts start fresh (\(fresh.count) tensors; input embeddings at zero, heads random): \(groups.joined(separator: ", "))")
        }
        return lines
    }

    /// Writes an MPVQA run directory (README "Hugging Face T5 import and export"):
    /// `model_configuration.json` (the exact model shape), `config.yaml` (the shape in config
    /// keys), `checkpoints/latest.safetensors` (the weights, as training writes them),
    /// `tokenizer.json` (copied when the source has one) and `import.json` (what came from
    /// where). Refuses a directory that already holds a run.
    public func writeRun(to url: URL) throws {
        let run = RunDirectory(url)
        guard !run.exists, !FileManager.default.fileExists(atPath: run.latestCheckpoint.path) else {
            throw HFImportError(file: url.path, "already holds a run; choose a new --out directory")
        }
        try run.create()
        let configuration = model.configuration
        let yaml = try Self.configYAML(configuration)
        let configurationJSON = String(decoding: try JSONEncoder.sorted.encode(configuration), as: UTF8.self)
        var metadata = [TrainingCheckpoint.configKey: yaml, Self.configurationKey: configurationJSON]
        metadata[TrainingCheckpoint.stateKey] = String(decoding: try JSONEncoder().encode(TrainingState()), as: UTF8.self)
        try SafeTensors.write(model.namedParameters(prefix: "model"), metadata: metadata, to: run.latestCheckpoint)
        try AtomicFile.write(configurationJSON + "\n", to: Self.modelConfigurationURL(run))
        try AtomicFile.write(yaml, to: run.config)
        let tokenizer = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizer.path) {
            let data = try FileSystemError.naming("read", tokenizer) { try Data(contentsOf: tokenizer) }
            try AtomicFile.write(data, to: run.tokenizer)
        }
        let report: [String: Any] = ["source": directory.path, "t5_config": (try? JSONSerialization.jsonObject(with: t5.json)) ?? [:],
                                     "from_checkpoint": fromCheckpoint, "from_extras": fromExtras, "fresh": fresh]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]),
                             to: url.appendingPathComponent("import.json"))
    }

    /// `<run>/model_configuration.json`.
    public static func modelConfigurationURL(_ run: RunDirectory) -> URL { run.url.appendingPathComponent("model_configuration.json") }

    /// The config keys that describe `m`'s shape (`model_configuration.json` has every field).
    static func configYAML(_ m: HiVT5Configuration) throws -> String {
        var config = Config()
        let activation = m.activation == .gatedGELU ? "gated_gelu" : m.activation.rawValue
        for (key, value) in [("model.d_model", "\(m.modelDim)"), ("model.heads", "\(m.heads)"),
                             ("model.encoder_layers", "\(m.encoderLayers)"), ("model.decoder_layers", "\(m.decoderLayers)"),
                             ("model.ffn", "\(m.ffnDim)"), ("model.activation", activation), ("model.dropout", "\(m.dropout)"),
                             ("model.relative_buckets", "\(m.relativeBuckets)"), ("model.relative_max_distance", "\(m.relativeMaxDistance)"),
                             ("model.head_dim", "\(m.headDim ?? 0)"), ("model.norm_eps", "\(m.normEpsilon ?? 1e-6)"),
                             ("model.untied_output", "\(m.untiedOutput ?? false)"), ("model.vocab_size", "\(m.vocabSize)"),
                             ("encoder.summary_tokens", "\(m.summaryTokens)"), ("page_head.hidden", "\(m.pageHeadHidden)")] {
            try config.set(key, text: value, source: "import-hf")
        }
        return config.yaml
    }
}

extension JSONEncoder {
    /// Keys sorted, so the same configuration always gives the same bytes.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
