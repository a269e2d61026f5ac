import TensorCore

/// The page encoder's output for R page rows.
///
/// Shapes: `summaries: [R, K, d]` (S(q, p) of every row), `tokenStates: [R, L, d]` (the
/// encoder outputs at the L text positions; patch positions are dropped), `slotTokens: [R, K]`
/// (the input token each summary slot reads, −1 = none: the copy path's per-slot data, cached
/// beside the summaries). The `pointer` summarizer, and every summarizer with the copy path,
/// gives slots a source token: slot k reads the OCR token k positions after the span head's
/// most likely start (when that position is an OCR token of the row).
public struct PageEncoding: Sendable {
    /// `[R, K, d]`.
    public let summaries: Tensor
    /// `[R, L, d]`.
    public let tokenStates: Tensor
    /// `[R, K]`, −1 where a slot reads no single token.
    public let slotTokens: [Int32]

    public init(summaries: Tensor, tokenStates: Tensor, slotTokens: [Int32]? = nil) {
        self.summaries = summaries
        self.tokenStates = tokenStates
        let count = summaries.shape[0] * summaries.shape[1]
        precondition(slotTokens == nil || slotTokens!.count == count, "PageEncoding: \(slotTokens!.count) slot tokens for [R, K] \(summaries.shape.prefix(2))")
        self.slotTokens = slotTokens ?? [Int32](repeating: -1, count: count)
    }
}
