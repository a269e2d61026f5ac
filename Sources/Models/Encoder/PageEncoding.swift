import TensorCore

/// The page encoder's output for R page rows.
///
/// Shapes: `summaries: [R, K, d]` (S(q, p) of every row), `tokenStates: [R, L, d]` (the
/// encoder outputs at the L text positions; patch positions are dropped).
public struct PageEncoding: Sendable {
    /// `[R, K, d]`.
    public let summaries: Tensor
    /// `[R, L, d]`.
    public let tokenStates: Tensor

    public init(summaries: Tensor, tokenStates: Tensor) {
        self.summaries = summaries
        self.tokenStates = tokenStates
    }
}
