import TensorCore

/// A lookup table of learned vectors: token id → row of `weight`.
///
/// Shapes: `weight: [count, dimension]`; ids with shape `S` → `[S..., dimension]`.
/// An id of −1 gives a zero vector (and no gradient). Parameter name: `weight`.
///
/// ```swift
/// let embedding = Embedding(count: 4096, dimension: 256, rng: &rng)
/// let x = embedding(ids, shape: [batch, length])      // [batch, length, 256]
/// ```
public final class Embedding: Module, Sendable {
    /// `[count, dimension]`.
    public let weight: Tensor

    public var count: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    /// A table with entries ~ Normal(0, std²) (T5 initialises embeddings with std 1).
    public init(count: Int, dimension: Int, std: Double = 1, dtype: DType = .float32, rng: inout SeededRNG) {
        weight = ParameterInitialization.normal([count, dimension], std: std, dtype: dtype, rng: &rng)
    }

    /// A table over a given tensor (made a trainable leaf sharing its storage).
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding: weight must be [count, dimension], got \(weight.shape)")
        self.weight = weight.requiresGrad ? weight : weight.requiringGrad()
    }

    /// Rows for `ids` (row-major, `ids.count == shape.product`) → `[shape..., dimension]`.
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor {
        precondition(ids.count == shape.reduce(1, *), "Embedding: \(ids.count) ids do not fill shape \(shape)")
        return weight.gatherRows(ids, shape: shape)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight)] }
}
