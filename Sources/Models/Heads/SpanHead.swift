import NeuralNet
import TensorCore

/// Marks the answer span among OCR tokens: one logit per encoder token state, trained as a
/// per-token binary cross-entropy (auxiliary loss for denser supervision).
///
/// Shapes: `tokenStates: [R, L, d]` → logits `[R, L]`. Parameter names: `projection.weight`,
/// `projection.bias`.
public final class SpanHead: Module, Sendable {
    public let projection: Linear

    public init(modelDim: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        projection = Linear(modelDim, 1, bias: true, dtype: dtype, rng: &rng)
    }

    /// `[R, L, d]` → `[R, L]`.
    public func callAsFunction(_ tokenStates: Tensor) -> Tensor {
        projection(tokenStates).reshaped(Array(tokenStates.shape.dropLast()))
    }

    public var namedParameters: [NamedParameter] { projection.namedParameters(prefix: "projection") }
}
