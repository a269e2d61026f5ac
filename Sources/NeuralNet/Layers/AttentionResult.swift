import TensorCore

/// What an attention layer returns: its output and, when asked, the attention weights.
public struct AttentionResult: Sendable {
    /// `[B, Lq, D]`.
    public let output: Tensor
    /// `[B, H, Lq, Lk]` softmax probabilities (no gradient flows through them), when
    /// `returnWeights` was set.
    public let weights: Tensor?

    public init(output: Tensor, weights: Tensor?) {
        self.output = output
        self.weights = weights
    }
}
