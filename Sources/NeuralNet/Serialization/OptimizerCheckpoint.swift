import Foundation
import TensorCore

extension AdamW {
    /// The moments as named tensors: `prefix.firstMoment.<param>` and
    /// `prefix.secondMoment.<param>` (no leading dot when `prefix` is empty).
    public func stateTensors(prefix: String = "optimizer") -> [NamedParameter] {
        let scope = prefix.isEmpty ? "" : prefix + "."
        return zip(parameters, firstMoments).map { (name: "\(scope)firstMoment.\($0.name)", tensor: $1) }
            + zip(parameters, secondMoments).map { (name: "\(scope)secondMoment.\($0.name)", tensor: $1) }
    }

    /// The step count as safetensors metadata: `prefix.step` → "<count>".
    public func stateMetadata(prefix: String = "optimizer") -> [String: String] {
        [(prefix.isEmpty ? "" : prefix + ".") + "step": String(stepCount)]
    }

    /// Writes the optimiser state alone to `url`, atomically.
    ///
    /// To keep weights and state in one file instead:
    /// ```swift
    /// try SafeTensors.write(model.namedParameters(prefix: "model") + optimizer.stateTensors(),
    ///                       metadata: optimizer.stateMetadata(), to: url)
    /// ```
    public func saveState(to url: URL, prefix: String = "optimizer") throws {
        try SafeTensors.write(stateTensors(prefix: prefix), metadata: stateMetadata(prefix: prefix), to: url)
    }

    /// Restores the step count and moments written by `stateTensors`/`stateMetadata`
    /// under `prefix`; throws naming the tensor when one is missing or mis-shaped.
    public func loadState(from file: SafeTensorsFile, prefix: String = "optimizer") throws {
        let scope = prefix.isEmpty ? "" : prefix + "."
        guard let stepText = file.metadata[scope + "step"], let step = Int(stepText), step >= 0 else {
            throw CheckpointError.malformed(file: file.source, reason: "metadata '\(scope)step' (the optimizer step count) is missing or not a count")
        }
        func load(_ kind: String) throws -> [Tensor] {
            try parameters.map { p in
                let name = "\(scope)\(kind).\(p.name)"
                guard let entry = file.entry(name) else {
                    throw CheckpointError.missingTensor(name: name, expected: p.tensor.shape, file: file.source)
                }
                guard entry.shape == p.tensor.shape else {
                    throw CheckpointError.shapeMismatch(name: name, expected: p.tensor.shape, found: entry.shape, file: file.source)
                }
                return try file.tensor(name)
            }
        }
        try restore(stepCount: step, firstMoments: load("firstMoment"), secondMoments: load("secondMoment"))
    }

    /// Opens `url` and loads the optimiser state from it.
    public func loadState(contentsOf url: URL, prefix: String = "optimizer") throws {
        try loadState(from: SafeTensorsFile(contentsOf: url), prefix: prefix)
    }
}
