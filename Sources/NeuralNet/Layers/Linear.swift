import TensorCore

/// A fully connected layer `y = x · Wᵀ + b`, with the weight stored `[out, in]` as in
/// PyTorch (so checkpoints map without transposes).
///
/// Shapes: `x: [..., in]` → `y: [..., out]`; `weight: [out, in]`, `bias: [out]`.
/// Parameter names: `weight`, `bias` (when present).
///
/// ```swift
/// var rng = SeededRNG(seed: 0)
/// let proj = Linear(256, 1024, rng: &rng)      // T5 style: no bias
/// let y = proj(x)                              // x: [B, L, 256] → y: [B, L, 1024]
/// ```
public final class Linear: Module, Sendable {
    /// `[out, in]`.
    public let weight: Tensor
    /// `[out]`, or nil for a bias-free projection.
    public let bias: Tensor?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// A new layer with weight ~ Normal(0, std²) (default std = 1/√in) and a zero bias.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = false, std: Double? = nil,
                dtype: DType = .float32, rng: inout SeededRNG) {
        let s = std ?? 1 / Double(inFeatures).squareRoot()
        self.weight = ParameterInitialization.normal([outFeatures, inFeatures], std: s, dtype: dtype, rng: &rng)
        self.bias = bias ? ParameterInitialization.constant([outFeatures], 0, dtype: dtype) : nil
    }

    /// A layer over given tensors (made trainable leaves sharing their storage).
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Linear: bias shape \(bias.shape) does not match weight \(weight.shape)")
        }
        self.weight = weight.requiresGrad ? weight : weight.requiringGrad()
        self.bias = bias.map { $0.requiresGrad ? $0 : $0.requiringGrad() }
    }

    /// `x: [..., in]` → `[..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.matmul(weight, transposeB: true)
        guard let bias else { return y }
        return y + bias
    }

    public var namedParameters: [NamedParameter] {
        var list: [NamedParameter] = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }
}
