import TensorCore

extension Module {
    /// Copies `values[name]` into each parameter listed in `names`, in place (dtypes are
    /// converted), after checking every shape: a checkpoint read under other names (a
    /// Hugging Face import, README "Hugging Face T5 import and export") is written only
    /// when all of it fits. Names are this layer's `namedParameters` names.
    ///
    /// Throws `CheckpointError.missingTensor` / `.shapeMismatch` naming the parameter.
    public func assignParameters(_ values: [String: Tensor], source: String? = nil) throws {
        let params = Dictionary(namedParameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in values {
            guard let p = params[name] else {
                throw CheckpointError.unexpectedTensors(names: [name], file: source)
            }
            guard p.shape == value.shape else {
                throw CheckpointError.shapeMismatch(name: name, expected: p.shape, found: value.shape, file: source)
            }
        }
        for (name, value) in values { copyValues(from: value, into: params[name]!) }
    }
}
