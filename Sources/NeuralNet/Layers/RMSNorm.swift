import TensorCore

/// Root-mean-square layer norm as in T5: `x / √(mean(x²) + ε) · weight`, over the last
/// axis, with no mean subtraction and no bias.
///
/// Shapes: `x: [..., D]` → `[..., D]`; `weight: [D]` (starts at 1). Parameter name: `weight`.
///
/// ```swift
/// let norm = RMSNorm(256)
/// let y = norm(x)
/// ```
public final class RMSNorm: Module, Sendable {
    /// `[D]`.
    public let weight: Tensor
    public let eps: Double

    public init(_ dimension: Int, eps: Double = 1e-6, dtype: DType = .float32) {
        weight = ParameterInitialization.constant([dimension], 1, dtype: dtype)
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.rmsNorm(weight: weight, eps: eps)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight)] }
}
