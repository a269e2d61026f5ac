import Foundation
import Models
import NeuralNet
import TensorCore

/// `train.init_from`: a new run starts from another run's weights (README "Hugging Face T5
/// import and export": fine-tuning an imported T5). Every parameter whose name and shape
/// the source checkpoint (best, else latest) has is copied; the others keep their fresh
/// initialisation, and the log says which groups those are.
public enum RunInitialization {
    /// Copies the matching parameters of `run`'s checkpoint into `model`; returns the log line.
    /// Refuses a source whose token embedding does not fit (another vocabulary or width), or
    /// that shares no parameter with the model, naming the file and tensor.
    @discardableResult
    public static func initialise(_ model: HiVT5, from run: RunDirectory) throws -> String {
        guard let checkpoint = [run.bestCheckpoint, run.latestCheckpoint].first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ConfigError(source: run.url.path, key: "train.init_from", "has no checkpoint (expected \(run.bestCheckpoint.path) or latest.safetensors)")
        }
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        let embedding = "model.tokenEmbedding.weight"
        if let entry = file.entry(embedding), entry.shape != model.tokenEmbedding.weight.shape {
            throw ConfigError(source: checkpoint.path, key: "train.init_from",
                              "tensor '\(embedding)' has shape \(entry.shape), this run's model expects \(model.tokenEmbedding.weight.shape) (set model.vocab_size and model.d_model as the source run's config.yaml does)")
        }
        var values: [String: Tensor] = [:], fresh: [String] = []
        for p in model.namedParameters {
            if let entry = file.entry("model." + p.name), entry.shape == p.tensor.shape {
                values[p.name] = try file.tensor("model." + p.name)
            } else {
                fresh.append(p.name)
            }
        }
        guard !values.isEmpty else {
            throw ConfigError(source: checkpoint.path, key: "train.init_from", "shares no parameter name and shape with this run's model")
        }
        try model.assignParameters(values, source: checkpoint.path)
        let groups = Set(fresh.map { $0.split(separator: ".").prefix(2).joined(separator: ".") }).sorted()
        return "initialised \(values.count) of \(values.count + fresh.count) parameters from \(checkpoint.path)"
            + (groups.isEmpty ? "" : "; fresh: \(groups.joined(separator: ", "))")
    }
}
