extension Tensor {
    /// The same elements viewed with another shape (no copy). One extent may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let i = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            target[i] = known == 0 ? 0 : count / known
        }
        if let message = ShapeCheck.reshape(shape, target) { preconditionFailure(message) }
        let from = shape
        var out = Tensor(shape: target, dtype: dtype, storage: storage, offset: offset)
        out.record("reshape", inputs: [self]) { g in [g.reshaped(from)] }
        return out
    }
}
