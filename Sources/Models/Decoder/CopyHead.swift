import NeuralNet
import TensorCore

/// The copy path of the answer decoder (`decoder.copy`, pointer-generator): the decoder state
/// attends over the memory slots with its own projections, and a learned gate mixes that copy
/// distribution, scattered onto the slots' source tokens, with the vocabulary softmax
/// (`Tensor.pointerGeneratorLoss` / `pointerGeneratorLogProbabilities`).
///
/// ```
/// c[t, m] = (W_q h_t) · (W_k M_m) / √d + keyBias_m (−1e9 on padded pages and slots with no source token)
/// s_t     = w_g · h_t + b_g                       the gate logit: σ(s) = P(vocabulary)
/// P(y_t)  = σ(s_t)·softmax(logits_t)_y + (1 − σ(s_t))·Σ_{m: token(m) = y} softmax(c_t)_m
/// ```
/// A slot's source token is the OCR token it reads (`PageEncoding.slotTokens`), so an exact
/// string such as a phone number is produced by pointing at slots in order rather than by
/// rebuilding each character from a summary vector.
///
/// Shapes: hidden `[B, T, d]`, memory `[B, M, d]` → copy logits `[B, T, M]`, gate logits `[B, T]`.
/// Parameter names: `queryProjection.weight`, `keyProjection.weight`, `gate.weight`, `gate.bias`.
public final class CopyHead: Module, Sendable {
    public let queryProjection: Linear
    public let keyProjection: Linear
    public let gate: Linear
    /// d^-½.
    let scale: Double

    public init(modelDim: Int, dtype: DType = .float32, rng: inout SeededRNG) {
        queryProjection = Linear(modelDim, modelDim, dtype: dtype, rng: &rng)
        keyProjection = Linear(modelDim, modelDim, dtype: dtype, rng: &rng)
        gate = Linear(modelDim, 1, bias: true, dtype: dtype, rng: &rng)
        scale = 1 / Double(modelDim).squareRoot()
    }

    /// The memory side of the copy attention, once per question. `dense`: `memory.memory`
    /// when the caller has already assembled it.
    public func context(_ memory: FiDMemory, dense: Tensor? = nil) -> CopyContext {
        let b = memory.batchSize, m = memory.slotCount
        precondition(memory.slotTokens.count == b * m, "CopyHead: \(memory.slotTokens.count) slot tokens for [B, M] = [\(b), \(m)]")
        let noSource = Tensor(memory.slotTokens.map { $0 >= 0 ? Float(0) : -1e9 }, shape: [b, m]).converted(to: memory.rows.dtype)
        return CopyContext(memory: dense ?? memory.memory, bias: (memory.keyBias + noSource).reshaped([b, 1, m]),
                           slotTokens: memory.slotTokens)
    }

    /// `hidden: [B, T, d]` → copy logits `[B, T, M]` and gate logits `[B, T]`.
    ///
    /// The key projection is applied on the query side, `(W_q h)·(W_k m) = (W_kᵀ W_q h)·m`:
    /// a question decodes far fewer positions than it has memory slots, so mapping T queries
    /// costs less than projecting M slots (and, in training, their weight gradient).
    public func callAsFunction(_ hidden: Tensor, context: CopyContext) -> (copyLogits: Tensor, gateLogits: Tensor) {
        let b = hidden.shape[0], t = hidden.shape[1]
        let queries = queryProjection(hidden).matmul(keyProjection.weight)
        let c = queries.matmul(context.memory, transposeB: true).scaled(by: scale) + context.bias
        return (c, gate(hidden).reshaped([b, t]))
    }

    public var namedParameters: [NamedParameter] {
        queryProjection.namedParameters(prefix: "queryProjection") + keyProjection.namedParameters(prefix: "keyProjection")
            + gate.namedParameters(prefix: "gate")
    }
}

/// The per-question memory side of the copy attention: the memory slots, the slot mask and
/// each slot's source token.
///
/// Shapes: `memory: [B, M, d]`, `bias: [B, 1, M]`, `slotTokens: [B, M]` (−1 = no source token).
public struct CopyContext: Sendable {
    public let memory: Tensor
    public let bias: Tensor
    public let slotTokens: [Int32]

    /// The context of a re-ordered batch (beam search: row i is row `indices[i]`).
    public func selectingBatch(_ indices: [Int32]) -> CopyContext {
        CopyContext(memory: selectBatchRows(memory, indices), bias: selectBatchRows(bias, indices),
                    slotTokens: selectBatchRows(slotTokens, width: memory.shape[1], indices))
    }
}
