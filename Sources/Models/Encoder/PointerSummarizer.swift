import NeuralNet
import TensorCore

/// The `pointer` summarizer: each summary slot's encoder output plus the token state K
/// positions into the answer the span head points at, gated by how sure the page is that it
/// holds an answer:
/// ```
/// p = softmax_l(start logits + OCR mask)          per row: where the answer starts
/// r_k = Σ_l p_l · h_{l+k}                          k = 0…K−1: the k-th token from the start
/// g = σ(a · logsumexp_l(start logits) + c)         the row's "answer here" gate
/// S_k = h_slot_k + g · r_k
/// [end feature: q = softmax_l(end logits + OCR mask), e_k = Σ_l p_l · q_{l+k},  S_k += e_k · u]
/// ```
/// With the end feature (`encoder.pointer_end_feature`) slot k also carries how likely the
/// answer ends at its token (a learned direction u scaled by e_k), which tells the decoder
/// where to stop copying.
/// Summary slot k thus carries the k-th answer token, in order, which the answer decoder can
/// copy: Hi-VT5's learned summary tokens have to discover that routing on their own, which a
/// from-scratch model does slowly. Rows stay independent (the softmax is per row), so
/// summaries can be cached per (question, page).
///
/// Shapes: `slotStates: [R, K, d]`, `tokenStates: [R, L, d]`, `candidate: [R, L]` → `[R, K, d]`.
/// The span head is shared with (and owned by) `HiVT5`; this module's parameters are `gate`
/// (`[2]`: a, c) and, with the end feature, `endDirection` (`[d]`: u).
public final class PointerSummarizer: Module, Sendable {
    public let spanHead: SpanHead
    /// `[2]`: the gate's scale a and shift c.
    public let gate: Tensor
    /// `[d]` u, nil without the end feature.
    public let endDirection: Tensor?

    public init(spanHead: SpanHead, endFeature: Bool = false, modelDim: Int = 0, dtype: DType = .float32, rng: inout SeededRNG) {
        self.spanHead = spanHead
        gate = ParameterInitialization.constant([2], 0, dtype: dtype)
        endDirection = endFeature ? ParameterInitialization.normal([modelDim], std: 0.5, dtype: dtype, rng: &rng) : nil
    }

    /// `candidate`: the positions the pointer may land on (OCR tokens of the row); `tokens`:
    /// the row's input ids `[R, L]`. Returns the summaries and each slot's source token
    /// `[R, K]`: the token k positions after the most likely start (−1 past the row's OCR tokens).
    public func callAsFunction(slotStates: Tensor, tokenStates: Tensor, candidate: [Bool], tokens: [Int32])
        -> (summaries: Tensor, slotTokens: [Int32]) {
        let rows = tokenStates.shape[0], length = tokenStates.shape[1], k = slotStates.shape[1]
        precondition(candidate.count == rows * length, "PointerSummarizer: \(candidate.count) flags for [R, L] = [\(rows), \(length)]")
        precondition(k <= length, "PointerSummarizer: K = \(k) exceeds the row length \(length)")
        let mask = Self.candidateMask(candidate, rows: rows, length: length, dtype: tokenStates.dtype)
        let span = spanHead(tokenStates)
        let logits = span.start + mask
        let p = logits.softmax()
        let slotTokens = Self.slotTokens(startLogits: logits, candidate: candidate, tokens: tokens, slots: k)
        // Row k of `shifted` is p moved k positions right, so that (shifted · h)_k = Σ_l p_l h_{l+k}.
        let shifted = Tensor.concat((0..<k).map { shift -> Tensor in
            let moved = shift == 0 ? p : Tensor.concat([Tensor.zeros([rows, shift], dtype: p.dtype),
                                                        p.slice(axis: 1, 0..<(length - shift))], axis: 1)
            return moved.reshaped([rows, 1, length])
        }, axis: 1)
        let readout = shifted.matmul(tokenStates)
        let g = (logits.logSumExp(axis: 1) * gate.slice(axis: 0, 0..<1) + gate.slice(axis: 0, 1..<2)).sigmoid()
        var summaries = slotStates + readout * g.reshaped([rows, 1, 1])
        if let endDirection {
            let endProbability = (span.end + mask).softmax().reshaped([rows, length, 1])
            let e = shifted.matmul(endProbability)  // [R, K, 1]
            summaries = summaries + e * endDirection.reshaped([1, 1, endDirection.shape[0]])
        }
        return (summaries, slotTokens)
    }

    /// `[R, L]`: 0 on candidate positions, −1e9 elsewhere (added to logits before a softmax).
    static func candidateMask(_ candidate: [Bool], rows: Int, length: Int, dtype: DType) -> Tensor {
        Tensor(candidate.map { $0 ? Float(0) : -1e9 }, shape: [rows, length]).converted(to: dtype)
    }

    /// The slots' source tokens of another summarizer with the copy path: what this summarizer
    /// would give its slots (`slotTokens(startLogits:…)` over `spanHead`'s start logits), without
    /// touching the summaries. Ids only, so no gradient is recorded.
    /// Shapes: `tokenStates: [R, L, d]`, `candidate`, `tokens: [R, L]` → `[R, K]`.
    static func sourceTokens(spanHead: SpanHead, tokenStates: Tensor, candidate: [Bool], tokens: [Int32], slots k: Int) -> [Int32] {
        withNoGrad {
            let rows = tokenStates.shape[0], length = tokenStates.shape[1]
            let start = spanHead(tokenStates).start + candidateMask(candidate, rows: rows, length: length, dtype: tokenStates.dtype)
            return slotTokens(startLogits: start, candidate: candidate, tokens: tokens, slots: k)
        }
    }

    /// Source token of slot k of every row: `tokens[argmax_l start_l + k]` when that position is
    /// a candidate (an OCR token), −1 otherwise. Shapes: `startLogits: [R, L]` → `[R, K]`.
    static func slotTokens(startLogits: Tensor, candidate: [Bool], tokens: [Int32], slots k: Int) -> [Int32] {
        let rows = startLogits.shape[0], length = startLogits.shape[1]
        let values = startLogits.converted(to: .float32)
        var out = [Int32](repeating: -1, count: rows * k)
        values.withUnsafeBufferPointer(as: Float.self) { x in
            for r in 0..<rows {
                var best = -1, bestValue = -Float.infinity
                for l in 0..<length where candidate[r * length + l] && x[r * length + l] > bestValue {
                    best = l
                    bestValue = x[r * length + l]
                }
                guard best >= 0 else { continue }
                for slot in 0..<k where best + slot < length && candidate[r * length + best + slot] {
                    out[r * k + slot] = tokens[r * length + best + slot]
                }
            }
        }
        return out
    }

    public var namedParameters: [NamedParameter] { [("gate", gate)] + (endDirection.map { [("endDirection", $0)] } ?? []) }
}
