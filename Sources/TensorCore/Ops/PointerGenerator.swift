// The pointer-generator mixture (See et al. 2017, "Get To The Point"): the next-token
// distribution is a gated mix of a vocabulary softmax and a copy distribution over memory
// slots, each slot scattered onto the token id it reads.
//
// Shape legend, per row r (N rows = B·T decoder positions):
//   z: [N, V] vocabulary logits       c: [N, M] copy logits over the M memory slots
//   s: [N]    gate logits             y: [N] target ids (ignoreIndex = padding)
//   match: [N, M]  slot k of row r reads token y_r
//   g = σ(s), pv = softmax(z), a = softmax(c), A = Σ_k a_k·match_k
//   P(y) = g·pv_y + (1 − g)·A,   loss = mean over kept rows of −log P(y)
// Everything is evaluated in log space (log pv_y = z_y − lse z, log A = lse_match c − lse c)
// so that a tiny vocabulary probability or an unmatched row never produces log 0.
// With the responsibilities r1 = g·pv_y / P and r2 = (1 − g)·A / P (r1 + r2 = 1):
//   dL/dz_j = r1·(pv_j − δ_jy)
//   dL/dc_k = r2·(a_k − ã_k),  ã = softmax of c restricted to the matching slots
//   dL/ds   = g·r2 − (1 − g)·r1

import Foundation

extension ShapeCheck {
    /// `Tensor.pointerGeneratorLoss`: z `[N, V]`, c `[N, M]`, s `[N]`, match `N·M` flags,
    /// targets `N`, each in `0..<V` or `ignoreIndex`.
    public static func pointerGenerator(vocab: [Int], copy: [Int], gate: [Int], match: Int, targets: [Int32],
                                        ignoreIndex: Int32) -> String? {
        guard vocab.count == 2, copy.count == 2, gate.count == 1 else {
            return "pointerGenerator: vocab logits \(vocab), copy logits \(copy), gate logits \(gate) are not [N, V], [N, M], [N]"
        }
        let n = vocab[0]
        guard copy[0] == n, gate[0] == n, targets.count == n, match == n * copy[1] else {
            return "pointerGenerator: rows differ: vocab \(vocab), copy \(copy), gate \(gate), \(targets.count) targets, \(match) match flags"
        }
        for (i, t) in targets.enumerated() where t != ignoreIndex && (t < 0 || Int(t) >= vocab[1]) {
            return "pointerGenerator: target \(t) at row \(i) is outside 0..<\(vocab[1]) (ignoreIndex \(ignoreIndex))"
        }
        return nil
    }
}

/// log σ(x) = −softplus(−x), stable for any x.
@inline(__always)
private func logSigmoid(_ x: Double) -> Double {
    x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x))
}

/// Per-row statistics of the forward pass, kept for the backward pass.
private struct PointerGeneratorRows {
    var lseVocab: [Double]
    var lseCopy: [Double]
    /// log Σ exp over the matching slots (−∞ when none matches).
    var lseMatched: [Double]
    var vocabResponsibility: [Double]
    var copyResponsibility: [Double]
    var gate: [Double]
    var loss: [Double]
}

private func pointerGeneratorForward<T: TensorScalar>(_ z: UnsafePointer<T>, _ c: UnsafePointer<T>, _ s: UnsafePointer<T>,
                                                      _ match: UnsafePointer<Bool>, _ y: UnsafePointer<Int32>, ignoreIndex: Int32,
                                                      rows n: Int, v: Int, m: Int) -> PointerGeneratorRows {
    var out = PointerGeneratorRows(lseVocab: .init(repeating: 0, count: n), lseCopy: .init(repeating: 0, count: n),
                                   lseMatched: .init(repeating: -.infinity, count: n),
                                   vocabResponsibility: .init(repeating: 0, count: n),
                                   copyResponsibility: .init(repeating: 0, count: n), gate: .init(repeating: 0, count: n),
                                   loss: .init(repeating: 0, count: n))
    let scratch = UnsafeMutablePointer<T>.allocate(capacity: max(v, m, 1))
    defer { scratch.deallocate() }
    for r in 0..<n where y[r] != ignoreIndex {
        let zr = z + r * v, cr = c + r * m, mr = match + r * m
        let lseV = Double(logSumExpRow(zr, v, scratch: scratch))
        let lseC = m > 0 ? Double(logSumExpRow(cr, m, scratch: scratch)) : -.infinity
        var peak = -Double.infinity
        for k in 0..<m where mr[k] { peak = max(peak, Double(cr[k])) }
        var lseM = -Double.infinity
        if peak > -.infinity {
            var sum = 0.0
            for k in 0..<m where mr[k] { sum += exp(Double(cr[k]) - peak) }
            lseM = peak + log(sum)
        }
        let sr = Double(s[r])
        let a1 = logSigmoid(sr) + Double(zr[Int(y[r])]) - lseV
        let a2 = lseM > -.infinity ? logSigmoid(-sr) + lseM - lseC : -.infinity
        let top = max(a1, a2)
        let logP = top + log(exp(a1 - top) + exp(a2 - top))
        out.lseVocab[r] = lseV
        out.lseCopy[r] = lseC
        out.lseMatched[r] = lseM
        out.vocabResponsibility[r] = exp(a1 - logP)
        out.copyResponsibility[r] = a2 > -.infinity ? exp(a2 - logP) : 0
        out.gate[r] = 1 / (1 + exp(-sr))
        out.loss[r] = -logP
    }
    return out
}

private func pointerGeneratorBackward<T: TensorScalar>(_ z: UnsafePointer<T>, _ c: UnsafePointer<T>, _ match: UnsafePointer<Bool>,
                                                       _ y: UnsafePointer<Int32>, ignoreIndex: Int32, _ stats: PointerGeneratorRows,
                                                       scale: Double, _ dz: UnsafeMutablePointer<T>, _ dc: UnsafeMutablePointer<T>,
                                                       _ ds: UnsafeMutablePointer<T>, rows n: Int, v: Int, m: Int) {
    Parallel.forRanges(n, minChunk: max(1, Parallel.elementGrain / max(v, 1))) { range in
        for r in range {
            let zr = z + r * v, cr = c + r * m, mr = match + r * m
            let dzr = dz + r * v, dcr = dc + r * m
            guard y[r] != ignoreIndex else {
                dzr.update(repeating: 0, count: v)
                dcr.update(repeating: 0, count: m)
                ds[r] = 0
                continue
            }
            let r1 = stats.vocabResponsibility[r], r2 = stats.copyResponsibility[r], g = stats.gate[r]
            // dz = scale·r1·(pv − onehot(y)); pv = exp(z − lse z).
            let k1 = T(scale * r1)
            _ = expShifted(zr, dzr, v, shift: T(stats.lseVocab[r]))
            for j in 0..<v { dzr[j] *= k1 }
            dzr[Int(y[r])] -= k1
            // dc = scale·r2·(a − ã).
            if r2 == 0 {
                dcr.update(repeating: 0, count: m)
            } else {
                let k2 = scale * r2, lseC = stats.lseCopy[r], lseM = stats.lseMatched[r]
                for k in 0..<m {
                    let x = Double(cr[k])
                    dcr[k] = T(k2 * (exp(x - lseC) - (mr[k] ? exp(x - lseM) : 0)))
                }
            }
            ds[r] = T(scale * (g * r2 - (1 - g) * r1))
        }
    }
}

extension Tensor {
    /// Mean negative log-likelihood of `targets` under the pointer-generator mixture
    /// `P(y) = σ(s)·softmax(z)_y + (1 − σ(s))·Σ_k softmax(c)_k·match_k`, over the rows whose
    /// target is not `ignoreIndex` (0, with zero gradients, when every row is ignored).
    ///
    /// `vocabLogits: [N, V]`, `copyLogits: [N, M]` (mask unusable slots with a large negative
    /// bias), `gateLogits: [N]`, `copyMatch: [N, M]` flags (slot k of row r holds the token
    /// `targets[r]`), `targets: [N]`. Returns a scalar; gradients flow into all three logit tensors.
    ///
    /// ```swift
    /// let loss = Tensor.pointerGeneratorLoss(vocabLogits: z, copyLogits: c, gateLogits: s,
    ///                                        copyMatch: match, targets: labels)
    /// loss.backward()
    /// ```
    public static func pointerGeneratorLoss(vocabLogits: Tensor, copyLogits: Tensor, gateLogits: Tensor, copyMatch: [Bool],
                                            targets: [Int32], ignoreIndex: Int32 = -100) -> Tensor {
        if let message = ShapeCheck.pointerGenerator(vocab: vocabLogits.shape, copy: copyLogits.shape, gate: gateLogits.shape,
                                                     match: copyMatch.count, targets: targets, ignoreIndex: ignoreIndex) {
            preconditionFailure(message)
        }
        precondition(vocabLogits.dtype == copyLogits.dtype && copyLogits.dtype == gateLogits.dtype,
                     "pointerGeneratorLoss: dtypes differ (\(vocabLogits.dtype), \(copyLogits.dtype), \(gateLogits.dtype))")
        let n = targets.count, v = vocabLogits.shape[1], m = copyLogits.shape[1], dtype = vocabLogits.dtype
        let kept = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        let z = vocabLogits.detached(), c = copyLogits.detached(), s = gateLogits.detached()

        func forward<T: TensorScalar>(_: T.Type) -> PointerGeneratorRows {
            copyMatch.withUnsafeBufferPointer { mt in
                targets.withUnsafeBufferPointer { yt in
                    pointerGeneratorForward(z.pointer(T.self), c.pointer(T.self), s.pointer(T.self), mt.baseAddress!,
                                            yt.baseAddress!, ignoreIndex: ignoreIndex, rows: n, v: v, m: m)
                }
            }
        }
        guard n > 0 else { return Tensor.scalar(0, dtype: dtype) }
        let stats = dtype == .float32 ? forward(Float.self) : forward(Double.self)
        let total = stats.loss.reduce(0, +)  // row order: deterministic whatever the thread count
        var out = Tensor.scalar(kept == 0 ? 0 : total / Double(kept), dtype: dtype)

        out.record("pointerGeneratorLoss", inputs: [vocabLogits, copyLogits, gateLogits]) { g in
            let dz = Tensor.empty(z.shape, dtype: dtype), dc = Tensor.empty(c.shape, dtype: dtype), ds = Tensor.empty(s.shape, dtype: dtype)
            let scale = kept == 0 ? 0 : g.item / Double(kept)
            func backward<T: TensorScalar>(_: T.Type) {
                copyMatch.withUnsafeBufferPointer { mt in
                    targets.withUnsafeBufferPointer { yt in
                        pointerGeneratorBackward(z.pointer(T.self), c.pointer(T.self), mt.baseAddress!, yt.baseAddress!,
                                                 ignoreIndex: ignoreIndex, stats, scale: scale, dz.mutablePointer(T.self),
                                                 dc.mutablePointer(T.self), ds.mutablePointer(T.self), rows: n, v: v, m: m)
                    }
                }
            }
            if dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
            return [dz, dc, ds]
        }
        return out
    }

    /// The pointer-generator mixture's log-probabilities `[N, V]` (inference, no gradient):
    /// `log(σ(s)·softmax(z) + (1 − σ(s))·scatter(softmax(c), slotTokens))`.
    ///
    /// `vocabLogits: [N, V]`, `copyLogits: [N, M]`, `gateLogits: [N]`, `slotTokens: [N, M]`
    /// (the token each slot reads; negative = none, never copied).
    public static func pointerGeneratorLogProbabilities(vocabLogits: Tensor, copyLogits: Tensor, gateLogits: Tensor,
                                                        slotTokens: [Int32]) -> Tensor {
        let n = vocabLogits.shape[0], v = vocabLogits.shape[1], m = copyLogits.shape[1]
        precondition(copyLogits.shape == [n, m] && gateLogits.shape == [n] && slotTokens.count == n * m,
                     "pointerGeneratorLogProbabilities: vocab \(vocabLogits.shape), copy \(copyLogits.shape), gate \(gateLogits.shape), \(slotTokens.count) slot tokens")
        let z = vocabLogits.converted(to: .float64).doubles, c = copyLogits.converted(to: .float64).doubles
        let s = gateLogits.converted(to: .float64).doubles
        var out = [Double](repeating: 0, count: n * v)
        out.withUnsafeMutableBufferPointer { o in
            for r in 0..<n {
                let g = 1 / (1 + Foundation.exp(-s[r]))
                var zMax = -Double.infinity
                for j in 0..<v { zMax = Swift.max(zMax, z[r * v + j]) }
                var zSum = 0.0
                for j in 0..<v { let e = Foundation.exp(z[r * v + j] - zMax); o[r * v + j] = e; zSum += e }
                for j in 0..<v { o[r * v + j] *= g / zSum }
                var cMax = -Double.infinity
                for k in 0..<m where slotTokens[r * m + k] >= 0 { cMax = Swift.max(cMax, c[r * m + k]) }
                if cMax > -.infinity {
                    var cSum = 0.0
                    for k in 0..<m where slotTokens[r * m + k] >= 0 { cSum += Foundation.exp(c[r * m + k] - cMax) }
                    for k in 0..<m where slotTokens[r * m + k] >= 0 && Int(slotTokens[r * m + k]) < v {
                        o[r * v + Int(slotTokens[r * m + k])] += (1 - g) * Foundation.exp(c[r * m + k] - cMax) / cSum
                    }
                }
                for j in 0..<v { o[r * v + j] = Foundation.log(o[r * v + j]) }
            }
        }
        return Tensor(out, shape: [n, v], as: Double.self).converted(to: vocabLogits.dtype)
    }
}
