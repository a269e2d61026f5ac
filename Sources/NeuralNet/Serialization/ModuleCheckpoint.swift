import Foundation
import TensorCore

extension Module {
    /// Writes this layer's parameters to a safetensors file atomically, names prefixed
    /// with `prefix.` when `prefix` is not empty. Python reads the file with
    /// `safetensors.torch.load_file`.
    ///
    /// ```swift
    /// try model.saveParameters(to: runDir.appendingPathComponent("latest.safetensors"))
    /// ```
    public func saveParameters(to url: URL, prefix: String = "", metadata: [String: String] = [:]) throws {
        try SafeTensors.write(namedParameters(prefix: prefix), metadata: metadata, to: url)
    }

    /// Copies the tensors `prefix.<name>` of `file` into this layer's parameters, in place
    /// (every holder of a parameter sees the new values; dtypes are converted).
    ///
    /// Checks everything before writing anything: a parameter missing from the file or
    /// of another shape throws (naming the tensor and both shapes), and so do tensors
    /// under `prefix` that no parameter uses, unless `allowUnused`.
    public func loadParameters(from file: SafeTensorsFile, prefix: String = "", allowUnused: Bool = false) throws {
        let params = namedParameters(prefix: prefix)
        var sources: [Tensor] = []
        sources.reserveCapacity(params.count)
        for p in params {
            guard let entry = file.entry(p.name) else {
                throw CheckpointError.missingTensor(name: p.name, expected: p.tensor.shape, file: file.source)
            }
            guard entry.shape == p.tensor.shape else {
                throw CheckpointError.shapeMismatch(name: p.name, expected: p.tensor.shape, found: entry.shape, file: file.source)
            }
            sources.append(try file.tensor(p.name))
        }
        if !allowUnused {
            let used = Set(params.map(\.name))
            let scope = prefix.isEmpty ? "" : prefix + "."
            let unused = file.names.filter { $0.hasPrefix(scope) && !used.contains($0) }
            if !unused.isEmpty { throw CheckpointError.unexpectedTensors(names: unused, file: file.source) }
        }
        for (p, source) in zip(params, sources) { copyValues(from: source, into: p.tensor) }
    }

    /// Opens `url` and loads it (see `loadParameters(from:prefix:allowUnused:)`).
    public func loadParameters(contentsOf url: URL, prefix: String = "", allowUnused: Bool = false) throws {
        try loadParameters(from: SafeTensorsFile(contentsOf: url), prefix: prefix, allowUnused: allowUnused)
    }
}
