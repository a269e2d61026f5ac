import TensorCore

/// Everything one teacher-forced forward pass of `HiVT5` produces.
///
/// Shapes: `answerLogits: [B, T, V]`, `pageScores, containsLogits: [B, P]`,
/// `span.start, span.end: [B·P, L]`.
public struct HiVT5Output: Sendable {
    /// `[B, T, V]`.
    public let answerLogits: Tensor
    /// `[B, P]`, −1e9 on padded pages.
    public let pageScores: Tensor
    /// `[B, P]`.
    public let containsLogits: Tensor
    /// Start and end logits `[B·P, L]`, when the token states were available.
    public let span: SpanHead.Logits?
}
