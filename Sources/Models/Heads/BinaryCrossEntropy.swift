import TensorCore

extension Tensor {
    /// Mean binary cross-entropy of logits `z` (any shape, N elements) against labels in
    /// {0, 1}, skipping `ignoreIndex`: the 2-class cross-entropy of `[0, z]`, which equals
    /// `−y·log σ(z) − (1−y)·log(1 − σ(z))`.
    func binaryCrossEntropy(labels: [Int32], ignoreIndex: Int32 = AnswerTargets.ignoreIndex) -> Tensor {
        precondition(labels.count == count, "binaryCrossEntropy: \(labels.count) labels for logits \(shape)")
        let z = reshaped([count, 1])
        return Tensor.concat([Tensor.zeros([count, 1], dtype: dtype), z], axis: 1)
            .crossEntropy(targets: labels, ignoreIndex: ignoreIndex)
    }
}
