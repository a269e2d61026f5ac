import TensorCore

/// Layer normalisation over the last axis: `(x − mean) / √(var + ε) · weight + bias`.
///
/// Shapes: `x: [..., D]` → `[..., D]`; `weight, bias: [D]` (1 and 0 at the start).
/// Parameter names: `weight`, `bias` (when present).
///
/// ```swift
/// let norm = LayerNorm(256)
/// let y = norm(x)
/// ```
public final class LayerNorm: Module, Sendable {
    /// `[D]`.
    public let weight: Tensor
    /// `[D]`, or nil for a norm without bias.
    public let bias: Tensor?
    public let eps: Double

    public init(_ dimension: Int, bias: Bool = true, eps: Double = 1e-5, dtype: DType = .float32) {
        weight = ParameterInitialization.constant([dimension], 1, dtype: dtype)
        self.bias = bias ? ParameterInitialization.constant([dimension], 0, dtype: dtype) : nil
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, eps: eps)
    }

    public var namedParameters: [NamedParameter] {
        var list: [NamedParameter] = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }
}
