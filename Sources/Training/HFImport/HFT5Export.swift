import DocData
import Foundation
import Models
import NeuralNet
import RunSupport
import TensorCore

/// Writes the T5 part of a run's model as a Hugging Face `T5ForConditionalGeneration`
/// directory (README "Hugging Face T5 import and export"): `config.json`,
/// `model.safetensors` (F32, transformers' names), `tokenizer.json` (the run's), and the
/// Hi-VT5 parts in the side file `mpvqa_extras.safetensors` (MPVQA names, the model
/// configuration in its metadata), from which `HFT5Import` restores them.
///
/// ```swift
/// let lines = try HFT5Export.export(run: URL(fileURLWithPath: "runs/flan-small"), to: URL(fileURLWithPath: "export"))
/// ```
public enum HFT5Export {
    /// The files an export writes (and may replace on a second export to the same place).
    public static let files = ["config.json", HFSafeTensorsCheckpoint.singleFile, "tokenizer.json", HFT5Import.extrasFile]

    /// The run's model: its exact configuration (`model_configuration.json`, else the
    /// checkpoint's metadata, else derived from its config and tokenizer as `mpvqa eval`
    /// does) and its weights (best checkpoint, else latest).
    public static func loadModel(run url: URL) throws -> (model: HiVT5, checkpoint: URL) {
        let run = RunDirectory(url)
        let checkpoint = FileManager.default.fileExists(atPath: run.bestCheckpoint.path) ? run.bestCheckpoint : run.latestCheckpoint
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw HFImportError(file: checkpoint.path, "no checkpoint in the run directory")
        }
        let configuration = try modelConfiguration(run: run, checkpoint: checkpoint)
        var rng = SeededRNG(seed: 1)
        let model = HiVT5(configuration, rng: &rng)
        do { try TrainingCheckpoint.load(into: model, optimizer: nil, from: checkpoint) } catch {
            throw HFImportError(file: checkpoint.path, "\(error)".replacingOccurrences(of: "\(checkpoint.path): ", with: ""))
        }
        return (model, checkpoint)
    }

    static func modelConfiguration(run: RunDirectory, checkpoint: URL) throws -> HiVT5Configuration {
        let jsonURL = HFT5Import.modelConfigurationURL(run)
        if FileManager.default.fileExists(atPath: jsonURL.path) {
            let data = try FileSystemError.naming("read", jsonURL) { try Data(contentsOf: jsonURL) }
            do { return try JSONDecoder().decode(HiVT5Configuration.self, from: data) } catch {
                throw HFImportError(file: jsonURL.path, "not a Hi-VT5 model configuration (\(error))")
            }
        }
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        if let json = file.metadata[HFT5Import.configurationKey],
           let configuration = try? JSONDecoder().decode(HiVT5Configuration.self, from: Data(json.utf8)) {
            return configuration
        }
        // A run trained by `mpvqa train`: the resolved config and the tokenizer give the shape.
        do {
            let config = try Config.load(run.config)
            let settings = try RunSettings(config)
            let tokenizer = try RunTokenizer.load(run.tokenizer, settings: settings)
            return try RunPreparation(settings: settings, dataDirectory: run.url).modelConfiguration(tokenizer: tokenizer)
        } catch {
            throw HFImportError(file: run.url.path, "cannot tell the model's shape: no model_configuration.json, and config.yaml with tokenizer.json give none (\(error))")
        }
    }

    /// Exports the run at `run` into `directory` (created when needed); returns what was
    /// written, one line each.
    @discardableResult
    public static func export(run: URL, to directory: URL) throws -> [String] {
        let (model, checkpoint) = try loadModel(run: run)
        return try export(model, tokenizer: RunDirectory(run).tokenizer, to: directory, source: checkpoint.path)
    }

    /// Exports `model` (and the tokenizer file, when it exists) into `directory`.
    @discardableResult
    public static func export(_ model: HiVT5, tokenizer: URL?, to directory: URL, source: String = "the model") throws -> [String] {
        let m = model.configuration
        let t5 = try HFT5Config(m, dropoutRate: m.dropout)
        let map = HFT5TensorMap(t5)
        let params = Dictionary(model.namedParameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        try FileSystemError.naming("create directory", directory) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let t5Tensors = map.pairs.map { (name: $0.hf, tensor: params[$0.mpvqa]!.converted(to: .float32)) }
        // transformers refuses a safetensors checkpoint without this metadata.
        try SafeTensors.write(t5Tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent(HFSafeTensorsCheckpoint.singleFile))
        try AtomicFile.write(t5.json, to: directory.appendingPathComponent("config.json"))
        let extras = model.namedParameters.filter { !map.mpvqaNames.contains($0.name) }
        let configurationJSON = String(decoding: try JSONEncoder.sorted.encode(m), as: UTF8.self)
        try SafeTensors.write(extras, metadata: [HFT5Import.configurationKey: configurationJSON],
                              to: directory.appendingPathComponent(HFT5Import.extrasFile))
        var lines = ["T5 part: \(t5Tensors.count) tensors of \(source) → \(directory.appendingPathComponent(HFSafeTensorsCheckpoint.singleFile).path) and config.json",
                     "Hi-VT5 parts: \(extras.count) tensors → \(directory.appendingPathComponent(HFT5Import.extrasFile).path) (transformers ignores this file)"]
        if let tokenizer, FileManager.default.fileExists(atPath: tokenizer.path) {
            let data = try FileSystemError.naming("read", tokenizer) { try Data(contentsOf: tokenizer) }
            try AtomicFile.write(data, to: directory.appendingPathComponent("tokenizer.json"))
            lines.append("tokenizer: \(tokenizer.path) → tokenizer.json")
        } else {
            lines.append("tokenizer: none in the run, none written")
        }
        return lines
    }
}
