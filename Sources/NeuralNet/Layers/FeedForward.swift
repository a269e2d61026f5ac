import TensorCore

/// The position-wise feed-forward network of a transformer block, without biases (T5).
///
/// - `relu`:      `down(dropout(relu(up(x))))`                      (T5 v1.0)
/// - `gelu`:      `down(dropout(gelu(up(x))))`  (erf form)
/// - `gatedGELU`: `down(dropout(gelu_tanh(gate(x)) ⊙ up(x)))`       (T5 v1.1 "gated-gelu")
///
/// Shapes: `x: [..., D]` → `[..., D]`; `up, gate: [F, D]`, `down: [D, F]`.
/// Parameter names: `gate.weight` (gated only), `up.weight`, `down.weight`.
///
/// ```swift
/// let ffn = FeedForward(modelDim: 256, hiddenDim: 1024, activation: .gatedGELU, rng: &rng)
/// let y = ffn(x)
/// ```
public final class FeedForward: Module, Sendable {
    public enum Activation: String, Sendable, Codable, CaseIterable {
        case relu, gelu, gatedGELU
    }

    public let gate: Linear?
    public let up: Linear
    public let down: Linear
    public let activation: Activation
    public let dropout: Dropout

    /// New projections with T5's initialisation (input projections std D^-½, output std F^-½).
    public init(modelDim: Int, hiddenDim: Int, activation: Activation = .relu, dropout: Double = 0,
                dtype: DType = .float32, rng: inout SeededRNG) {
        let inStd = 1 / Double(modelDim).squareRoot()
        gate = activation == .gatedGELU ? Linear(modelDim, hiddenDim, std: inStd, dtype: dtype, rng: &rng) : nil
        up = Linear(modelDim, hiddenDim, std: inStd, dtype: dtype, rng: &rng)
        down = Linear(hiddenDim, modelDim, std: 1 / Double(hiddenDim).squareRoot(), dtype: dtype, rng: &rng)
        self.activation = activation
        self.dropout = Dropout(rate: dropout)
    }

    /// `rng`: the dropout generator while training, nil at inference.
    public func callAsFunction(_ x: Tensor, rng: inout SeededRNG?) -> Tensor {
        let hidden: Tensor
        switch activation {
        case .relu: hidden = up(x).relu()
        case .gelu: hidden = up(x).gelu()
        case .gatedGELU: hidden = gate!(x).gelu(approximate: true) * up(x)
        }
        return down(dropout(hidden, rng: &rng))
    }

    /// Inference (no dropout).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var none: SeededRNG? = nil
        return self(x, rng: &none)
    }

    public var namedParameters: [NamedParameter] {
        (gate?.namedParameters(prefix: "gate") ?? []) + up.namedParameters(prefix: "up") + down.namedParameters(prefix: "down")
    }
}
