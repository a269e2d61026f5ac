import TensorCore

/// How a layer fills a new parameter. Every draw comes from the `SeededRNG` passed to
/// the layer's initialiser, so a model built from the same seed is the same model.
public enum ParameterInitialization {
    /// Normal(0, std²) samples as a trainable leaf.
    public static func normal(_ shape: [Int], std: Double, dtype: DType = .float32, rng: inout SeededRNG) -> Tensor {
        Tensor.randn(shape, std: std, dtype: dtype, rng: &rng).requiringGrad()
    }

    /// A constant-filled trainable leaf (norm gains start at 1, biases at 0).
    public static func constant(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        Tensor.full(shape, value, dtype: dtype).requiringGrad()
    }
}
