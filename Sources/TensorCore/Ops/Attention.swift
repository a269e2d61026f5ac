// Fused multi-head scaled-dot-product attention (the hot kernel of every transformer block).
//
// Shapes (H heads, head sizes Dk for queries/keys and Dv for values):
//   Q [B, Lq, H·Dk], K [B, Lk, H·Dk], V [B, Lk, H·Dv]  (head h = columns h·D..<(h+1)·D)
//   keyBias [B, Lk] (additive mask), positionBias [H, Lq, Lk] (additive, learned)
//   S, P, dP, dS [Lq, Lk] per (b, h) pair; P saved as [B, H, Lq, Lk]; O [B, Lq, H·Dv]
// Forward per pair (b, h):
//   S = scale·Q_h·K_hᵀ + positionBias_h + keyBias_b, causal: S_ij = −∞ for j > i + (Lk − Lq)
//   P = softmax_rows(S), O_h = P·V_h
// Backward (dO = dL/dO):
//   dV_h = Pᵀ·dO_h, dP = dO_h·V_hᵀ, dS = P∘(dP − rowsum(dP∘P)),
//   dQ_h = scale·dS·K_h, dK_h = scale·dSᵀ·Q_h, dPositionBias_h = Σ_b dS
// Q_h, K_h, V_h, O_h are read and written in place in the [B, L, H·D] layouts by giving
// gemm the row stride H·D; no head is ever permuted into a copy. Pairs run in parallel,
// each worker with one-thread BLAS and its own [Lq, Lk] scratch, allocated once per call.

/// Result of `Tensor.attention`: the attended values and, on request, the attention
/// probabilities.
public struct AttentionOutput: Sendable {
    /// `[B, Lq, H·Dv]`.
    public let output: Tensor
    /// `[B, H, Lq, Lk]` softmax probabilities (no gradient flows through them), when
    /// `returnWeights` was set.
    public let weights: Tensor?

    public init(output: Tensor, weights: Tensor?) {
        self.output = output
        self.weights = weights
    }
}

extension ShapeCheck {
    /// `Tensor.attention`: message naming every shape, or nil when they fit together.
    public static func attention(query: [Int], key: [Int], value: [Int], heads: Int,
                                 keyBias: [Int]?, positionBias: [Int]?) -> String? {
        // Built only on failure.
        var desc: String {
            "attention: query \(query), key \(key), value \(value), heads \(heads)"
                + (keyBias.map { ", keyBias \($0)" } ?? "") + (positionBias.map { ", positionBias \($0)" } ?? "")
        }
        guard query.count == 3, key.count == 3, value.count == 3 else {
            return "\(desc): query, key and value need shape [B, L, H·D]"
        }
        guard heads >= 1 else { return "\(desc): heads must be ≥ 1" }
        if key[0] != query[0] || value[0] != query[0] { return "\(desc): batch sizes differ" }
        if key[1] != value[1] { return "\(desc): key and value lengths differ" }
        if query[1] < 1 || key[1] < 1 { return "\(desc): query and key lengths must be ≥ 1" }
        if key[2] != query[2] { return "\(desc): query and key widths differ" }
        if query[2] % heads != 0 || query[2] == 0 { return "\(desc): query width \(query[2]) is not a positive multiple of \(heads) heads" }
        if value[2] % heads != 0 || value[2] == 0 { return "\(desc): value width \(value[2]) is not a positive multiple of \(heads) heads" }
        if let keyBias, keyBias != [query[0], key[1]] { return "\(desc): keyBias must be [\(query[0]), \(key[1])]" }
        if let positionBias, positionBias != [heads, query[1], key[1]] {
            return "\(desc): positionBias must be [\(heads), \(query[1]), \(key[1])]"
        }
        return nil
    }
}

/// Sizes of one attention call.
struct AttentionGeometry {
    /// `lq`, `lk`: the longest query and key sequence (the per-pair slab is `lq × lk`, and
    /// a position bias is `[H, lq, lk]`).
    let batch: Int, heads: Int, lq: Int, lk: Int, dk: Int, dv: Int
    let scale: Double
    let causal: Bool
    /// Per batch item, the keys up to and including its last unmasked one (`lk` when none is
    /// unmasked). Keys after it are masked by the key bias, so their probabilities are
    /// exactly 0 (exp(−1e9) underflows) and their gradients exactly 0: skipping them gives
    /// the same result. A memory padded to the batch's longest document is masked at its end.
    /// With packed keys, each item's key count.
    let usedKeys: [Int]
    /// Packed queries (and outputs): item b's queries are rows `offsets[b]..<offsets[b+1]` of
    /// a `[N, H·D]` tensor; nil: `[B, lq, H·D]`.
    var querySequences: PackedSequences? = nil
    /// Packed keys and values, as `querySequences`; nil: `[B, lk, H·D]`.
    var keySequences: PackedSequences? = nil

    var pairs: Int { batch * heads }
    /// Row strides of Q/K and of V/O in their [B, L, H·D] layouts.
    var ldk: Int { heads * dk }
    var ldv: Int { heads * dv }
    var pairSize: Int { lq * lk }
    /// First row and number of item b's queries.
    @inline(__always) func queryStart(_ b: Int) -> Int { querySequences?.offsets[b] ?? b * lq }
    @inline(__always) func queryCount(_ b: Int) -> Int { querySequences?.length(b) ?? lq }
    /// First row and number of item b's keys.
    @inline(__always) func keyStart(_ b: Int) -> Int { keySequences?.offsets[b] ?? b * lk }
    @inline(__always) func keyCount(_ b: Int) -> Int { keySequences?.length(b) ?? lk }
    /// Number of item b's keys its query i sees (all of them without `causal`).
    @inline(__always) func visible(_ i: Int, _ b: Int) -> Int {
        let nk = keyCount(b)
        return causal ? max(0, min(nk, i + nk - queryCount(b) + 1)) : nk
    }

    /// `usedKeys` of a key bias `[B, Lk]`: biases at or below −1e8 mask.
    static func usedKeys<T: TensorScalar>(_ keyBias: UnsafePointer<T>?, batch: Int, lk: Int) -> [Int] {
        guard let keyBias else { return [Int](repeating: lk, count: batch) }
        return (0..<batch).map { b in
            let row = keyBias + b * lk
            var used = lk
            while used > 0 && row[used - 1] <= T(-1e8) { used -= 1 }
            return used == 0 ? lk : used
        }
    }
    /// Workers that each take every `workers`-th pair, with one private scratch each; one
    /// when the whole call is too small to repay a thread hand-off (e.g. a decoding step).
    var workers: Int {
        let flops = pairs * lq * lk * (dk + dv)
        return flops < Parallel.productGrain ? 1 : max(1, min(Parallel.threads, pairs))
    }
}

/// Runs `body(pair, worker)` for every (b, h) pair, pairs striped over `geo.workers` threads.
@inline(__always)
private func forEachPair(_ geo: AttentionGeometry, _ body: (Int, Int) -> Void) {
    let workers = geo.workers, pairs = geo.pairs
    Parallel.forEach(workers) { w in
        var pair = w
        while pair < pairs {
            body(pair, w)
            pair += workers
        }
    }
}

/// Forward over all pairs. `probs` (pairs × Lq × Lk) receives P when non-nil; otherwise P
/// lives in `scratch` (workers × Lq × Lk).
private func attentionForwardKernel<T: TensorScalar>(_ geo: AttentionGeometry,
                                                     q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                     keyBias: UnsafePointer<T>?, positionBias: UnsafePointer<T>?,
                                                     probs: UnsafeMutablePointer<T>?, scratch: UnsafeMutablePointer<T>?,
                                                     out: UnsafeMutablePointer<T>) {
    let lq = geo.lq, lk = geo.lk, dk = geo.dk, dv = geo.dv, ldk = geo.ldk, ldv = geo.ldv, h = geo.heads
    let scale = T(geo.scale)
    forEachPair(geo) { pair, worker in
        let b = pair / h, head = pair % h
        let nq = geo.queryCount(b), q0 = geo.queryStart(b), k0 = geo.keyStart(b)
        let qh = q + q0 * ldk + head * dk
        let kh = k + k0 * ldk + head * dk
        let vh = v + k0 * ldv + head * dv
        let oh = out + q0 * ldv + head * dv
        let s = probs.map { $0 + pair * geo.pairSize } ?? (scratch! + worker * geo.pairSize)
        let used = geo.usedKeys[b]
        // Rows past a packed item's queries stay 0 in the saved probabilities.
        if probs != nil && nq < lq { (s + nq * lk).update(repeating: 0, count: (lq - nq) * lk) }
        guard nq > 0 else { return }
        guard used > 0 else {  // a packed item without keys attends to nothing
            for i in 0..<nq { (oh + i * ldv).update(repeating: 0, count: dv) }
            return
        }
        // S = scale·Q_h·K_hᵀ  [nq, Lk], computed over the used keys
        gemm(false, true, nq, used, dk, scale, qh, ldk, kh, ldk, T(0), s, lk)
        for i in 0..<nq {
            let row = s + i * lk
            let n = min(geo.visible(i, b), used)
            if let positionBias {
                let pb = positionBias + (head * lq + i) * lk
                for j in 0..<n { row[j] += pb[j] }
            }
            if let keyBias {
                let kb = keyBias + b * lk
                for j in 0..<n { row[j] += kb[j] }
            }
            softmaxRowInPlace(row, n)
            if n < lk { (row + n).update(repeating: 0, count: lk - n) }
        }
        // O_h = P·V_h  [nq, Dv], written into its column block of O
        gemm(false, false, nq, dv, used, T(1), UnsafePointer(s), lk, vh, ldv, T(0), oh, ldv)
    }
}

/// Backward over all pairs. Gradients whose pointer is nil are skipped. dS goes to
/// `dsAll` (pairs × Lq × Lk, kept for the position-bias reduction) when non-nil,
/// else to `scratch` (workers × Lq × Lk).
private func attentionBackwardKernel<T: TensorScalar>(_ geo: AttentionGeometry,
                                                      q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                      probs: UnsafePointer<T>, dOut: UnsafePointer<T>,
                                                      dq: UnsafeMutablePointer<T>?, dk dkOut: UnsafeMutablePointer<T>?,
                                                      dv dvOut: UnsafeMutablePointer<T>?,
                                                      dsAll: UnsafeMutablePointer<T>?, scratch: UnsafeMutablePointer<T>?) {
    let lq = geo.lq, lk = geo.lk, dk = geo.dk, dv = geo.dv, ldk = geo.ldk, ldv = geo.ldv, h = geo.heads
    let scale = T(geo.scale)
    let needS = dq != nil || dkOut != nil || dsAll != nil
    forEachPair(geo) { pair, worker in
        let b = pair / h, head = pair % h
        let nq = geo.queryCount(b), nk = geo.keyCount(b), q0 = geo.queryStart(b), k0 = geo.keyStart(b)
        let qh = q + q0 * ldk + head * dk
        let kh = k + k0 * ldk + head * dk
        let vh = v + k0 * ldv + head * dv
        let doh = dOut + q0 * ldv + head * dv
        let p = probs + pair * geo.pairSize
        let ds = dsAll.map { $0 + pair * geo.pairSize } ?? (scratch! + worker * geo.pairSize)
        // Rows past a packed item's queries add nothing to the position-bias gradient.
        if dsAll != nil && nq < lq { (ds + nq * lk).update(repeating: 0, count: (lq - nq) * lk) }
        let used = nq > 0 ? geo.usedKeys[b] : 0
        /// Rows `used..<nk` of a head's column block: keys whose gradient is exactly 0.
        func zeroUnusedRows(_ block: UnsafeMutablePointer<T>, width: Int, stride: Int) {
            for j in used..<max(used, nk) { (block + j * stride).update(repeating: 0, count: width) }
        }
        if used == 0 {  // a packed item without queries or keys: every gradient of it is 0
            if let dvOut { zeroUnusedRows(dvOut + k0 * ldv + head * dv, width: dv, stride: ldv) }
            if let dkOut { zeroUnusedRows(dkOut + k0 * ldk + head * dk, width: dk, stride: ldk) }
            if let dq { for i in 0..<nq { (dq + (q0 + i) * ldk + head * dk).update(repeating: 0, count: dk) } }
            if dsAll != nil { ds.update(repeating: 0, count: nq * lk) }
            return
        }
        // dV_h = Pᵀ·dO_h  [Lk, Dv]
        if let dvOut {
            let dvh = dvOut + k0 * ldv + head * dv
            gemm(true, false, used, dv, nq, T(1), p, lk, doh, ldv, T(0), dvh, ldv)
            zeroUnusedRows(dvh, width: dv, stride: ldv)
        }
        guard needS else { return }
        // dP = dO_h·V_hᵀ  [nq, Lk], then dS = P∘(dP − rowsum(dP∘P)) in place (0 past the used keys)
        gemm(false, true, nq, used, dv, T(1), doh, ldv, vh, ldv, T(0), ds, lk)
        for i in 0..<nq {
            softmaxBackwardRow(p + i * lk, ds + i * lk, ds + i * lk, used)
            if used < lk { (ds + i * lk + used).update(repeating: 0, count: lk - used) }
        }
        // dQ_h = scale·dS·K_h  [nq, Dk];  dK_h = scale·dSᵀ·Q_h  [Lk, Dk]
        if let dq {
            gemm(false, false, nq, dk, used, scale, UnsafePointer(ds), lk, kh, ldk, T(0), dq + q0 * ldk + head * dk, ldk)
        }
        if let dkOut {
            let dkh = dkOut + k0 * ldk + head * dk
            gemm(true, false, used, dk, nq, scale, UnsafePointer(ds), lk, qh, ldk, T(0), dkh, ldk)
            zeroUnusedRows(dkh, width: dk, stride: ldk)
        }
    }
}

/// dPositionBias[h, i, j] = Σ_b dS[b, h, i, j], in batch order (deterministic).
private func sumOverBatchKernel<T: TensorScalar>(_ ds: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, batch: Int, inner: Int) {
    Parallel.forRanges(inner, minChunk: Parallel.elementGrain) { range in
        for i in range { out[i] = ds[i] }
        for b in 1..<max(batch, 1) {
            let src = ds + b * inner
            for i in range { out[i] += src[i] }
        }
    }
}

extension Tensor {
    /// Fused multi-head scaled-dot-product attention on raw projection outputs.
    ///
    /// - `query: [B, Lq, H·Dk]`, `key: [B, Lk, H·Dk]`, `value: [B, Lk, H·Dv]`; head h is
    ///   columns `h·D..<(h+1)·D` (no permute needed before or after).
    /// - `keyBias: [B, Lk]?` added to every query's scores (0 keeps, −1e9 masks a padded
    ///   key); it receives no gradient. A query whose keys are all masked stays finite.
    /// - `causal`: query i sees keys j ≤ i + (Lk − Lq), so with a KV cache (Lq = 1) the
    ///   new token sees every cached key.
    /// - `positionBias: [H, Lq, Lk]?` added to the scores of every batch item (T5 relative
    ///   position bias); differentiable.
    /// - `scale` multiplies Q·Kᵀ (default 1/√Dk; T5 uses 1).
    /// - `querySequences`: queries (and the output) packed as `[N, H·Dk]` rows of B sequences
    ///   of different lengths (`PackedSequences`), Lq the longest; `keySequences` packs keys
    ///   and values alike (then no `keyBias`). Item b attends only to its own keys; with
    ///   `causal` and both packed, query i of a sequence sees its keys 0…i.
    /// - Returns `output: [B, Lq, H·Dv]` (packed: `[N, H·Dv]`) and, with `returnWeights`,
    ///   `weights: [B, H, Lq, Lk]` (0 past a packed sequence's end).
    ///
    /// ```swift
    /// let q = x.matmul(wq, transposeB: true), k = x.matmul(wk, transposeB: true), v = x.matmul(wv, transposeB: true)
    /// let a = Tensor.attention(query: q, key: k, value: v, heads: 4, keyBias: padBias, positionBias: bias, scale: 1)
    /// let y = a.output.matmul(wo, transposeB: true)      // [B, L, D]
    /// ```
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                                 keyBias: Tensor? = nil, causal: Bool = false, positionBias: Tensor? = nil,
                                 scale: Double? = nil, returnWeights: Bool = false,
                                 querySequences: PackedSequences? = nil, keySequences: PackedSequences? = nil) -> AttentionOutput {
        // Packed operands are checked as the [B, L, H·D] tensors they stand for.
        func logical(_ t: Tensor, _ packing: PackedSequences?, _ name: String) -> [Int] {
            guard let packing else { return t.shape }
            precondition(t.rank == 2 && t.shape[0] == packing.totalRows,
                         "attention: packed \(name) \(t.shape) must be [N, H·D] with N = \(packing.totalRows) rows of \(packing.count) sequences")
            return [packing.count, Swift.max(packing.maxLength, 1), t.shape[1]]
        }
        let queryShape = logical(query, querySequences, "query")
        let keyShape = logical(key, keySequences, "key"), valueShape = logical(value, keySequences, "value")
        precondition(keySequences == nil || keyBias == nil, "attention: packed keys take no key bias (every packed key is real)")
        if let message = ShapeCheck.attention(query: queryShape, key: keyShape, value: valueShape, heads: heads,
                                              keyBias: keyBias?.shape, positionBias: positionBias?.shape) {
            preconditionFailure(message)
        }
        let dtype = query.dtype
        precondition([key.dtype, value.dtype, keyBias?.dtype ?? dtype, positionBias?.dtype ?? dtype].allSatisfy { $0 == dtype },
                     "attention: inputs mix dtypes (query \(dtype), key \(key.dtype), value \(value.dtype))")
        let dk = queryShape[2] / heads, batch = queryShape[0], lk = keyShape[1]
        let usedKeys = keySequences.map { packing in (0..<batch).map { packing.length($0) } }
            ?? (dtype == .float32
                ? AttentionGeometry.usedKeys(keyBias?.pointer(Float.self), batch: batch, lk: lk)
                : AttentionGeometry.usedKeys(keyBias?.pointer(Double.self), batch: batch, lk: lk))
        let geo = AttentionGeometry(batch: batch, heads: heads, lq: queryShape[1], lk: lk,
                                    dk: dk, dv: valueShape[2] / heads,
                                    scale: scale ?? 1 / Double(dk).squareRoot(), causal: causal, usedKeys: usedKeys,
                                    querySequences: querySequences, keySequences: keySequences)
        let differentiable: [Tensor] = [query, key, value] + (positionBias.map { [$0] } ?? [])
        let needsGrad = GradMode.isEnabled && differentiable.contains { $0.requiresGrad }

        var out = Tensor.empty(querySequences == nil ? [geo.batch, geo.lq, heads * geo.dv] : [query.shape[0], heads * geo.dv], dtype: dtype)
        let probs = needsGrad || returnWeights ? Tensor.empty([geo.batch, heads, geo.lq, geo.lk], dtype: dtype) : nil
        let scratch = probs == nil ? Tensor.empty([geo.workers, geo.pairSize], dtype: dtype) : nil
        func forward<T: TensorScalar>(_: T.Type) {
            attentionForwardKernel(geo, q: query.pointer(T.self), k: key.pointer(T.self), v: value.pointer(T.self),
                                   keyBias: keyBias?.pointer(T.self), positionBias: positionBias?.pointer(T.self),
                                   probs: probs?.mutablePointer(T.self), scratch: scratch?.mutablePointer(T.self),
                                   out: out.mutablePointer(T.self))
        }
        if dtype == .float32 { forward(Float.self) } else { forward(Double.self) }

        if let probs {
            let q = query.detached(), k = key.detached(), v = value.detached()
            let need = differentiable.map(\.requiresGrad)
            out.record("attention", inputs: differentiable) { g in
                let dq = need[0] ? Tensor.empty(q.shape, dtype: dtype) : nil
                let dk = need[1] ? Tensor.empty(k.shape, dtype: dtype) : nil
                let dv = need[2] ? Tensor.empty(v.shape, dtype: dtype) : nil
                let needBias = need.count > 3 && need[3]
                let dsAll = needBias ? Tensor.empty(probs.shape, dtype: dtype) : nil
                let scratch = needBias ? nil : Tensor.empty([geo.workers, geo.pairSize], dtype: dtype)
                let dBias = needBias ? Tensor.empty([geo.heads, geo.lq, geo.lk], dtype: dtype) : nil
                func backward<T: TensorScalar>(_: T.Type) {
                    attentionBackwardKernel(geo, q: q.pointer(T.self), k: k.pointer(T.self), v: v.pointer(T.self),
                                            probs: probs.pointer(T.self), dOut: g.pointer(T.self),
                                            dq: dq?.mutablePointer(T.self), dk: dk?.mutablePointer(T.self),
                                            dv: dv?.mutablePointer(T.self),
                                            dsAll: dsAll?.mutablePointer(T.self), scratch: scratch?.mutablePointer(T.self))
                    if let dsAll, let dBias {
                        sumOverBatchKernel(dsAll.pointer(T.self), dBias.mutablePointer(T.self), batch: geo.batch,
                                           inner: geo.heads * geo.pairSize)
                    }
                }
                if dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
                return need.count > 3 ? [dq, dk, dv, dBias] : [dq, dk, dv]
            }
        }
        return AttentionOutput(output: out, weights: returnWeights ? probs : nil)
    }
}
