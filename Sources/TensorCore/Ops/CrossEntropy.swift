// Cross-entropy of logits against integer targets: fused log-softmax + NLL.
//
// Shapes: x [N, V] (or [..., V], rows flattened), t [N] (Int32, ignoreIndex skips a row).
// Forward per kept row i: lse_i = log Σ_j exp x_ij, ℓ_i = lse_i − x_i,t_i;
// loss = Σ ℓ_i / K with K = number of kept rows (loss 0 when K = 0).
// Backward (g = dL/dloss): dx_ij = g/K · (exp(x_ij − lse_i) − [j = t_i]) on kept rows, 0 on
// ignored rows. The softmax is never materialised in the forward pass.

extension ShapeCheck {
    /// `logits.crossEntropy(targets:ignoreIndex:)`: one target per row of logits, each in
    /// `0..<V` or equal to `ignoreIndex`. The message names the first offending target.
    public static func crossEntropy(logits: [Int], targets: [Int32], ignoreIndex: Int32) -> String? {
        guard logits.count >= 2 else { return "crossEntropy: logits \(logits) need shape [N, V]" }
        let v = logits[logits.count - 1], n = logits.dropLast().reduce(1, *)
        if targets.count != n {
            return "crossEntropy: \(targets.count) targets for logits \(logits) (\(n) rows)"
        }
        for (i, t) in targets.enumerated() where t != ignoreIndex && (t < 0 || Int(t) >= v) {
            return "crossEntropy: target \(t) at row \(i) is outside 0..<\(v) for logits \(logits) (ignoreIndex \(ignoreIndex))"
        }
        return nil
    }
}

/// Writes lse_i for every kept row (0 for ignored rows).
private func logSumExpKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ targets: UnsafePointer<Int32>, ignoreIndex: Int32,
                                              _ lse: UnsafeMutablePointer<T>, rows: Int, v: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(v, 1))) { range in
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: v)  // one row of exp(x − m) per chunk
        defer { scratch.deallocate() }
        for r in range {
            lse[r] = targets[r] == ignoreIndex ? 0 : logSumExpRow(x + r * v, v, scratch: scratch)
        }
    }
}

private func crossEntropyBackwardKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ targets: UnsafePointer<Int32>, ignoreIndex: Int32,
                                                         _ lse: UnsafePointer<T>, scale: T, _ dx: UnsafeMutablePointer<T>,
                                                         rows: Int, v: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(v, 1))) { range in
        for r in range {
            let xr = x + r * v, dr = dx + r * v
            let t = targets[r]
            if t == ignoreIndex {
                dr.update(repeating: 0, count: v)
                continue
            }
            _ = expShifted(xr, dr, v, shift: lse[r])
            for j in 0..<v { dr[j] *= scale }
            dr[Int(t)] -= scale
        }
    }
}

extension Tensor {
    /// Mean cross-entropy of `self` (logits) against class indices, over the rows whose
    /// target is not `ignoreIndex`; 0 (with a zero gradient) when every row is ignored.
    ///
    /// `self: [N, V]` (more leading axes are flattened into N), `targets.count == N`,
    /// each target in `0..<V` or equal to `ignoreIndex` (the −100 padding convention).
    /// Returns a scalar.
    ///
    /// ```swift
    /// let loss = logits.reshaped([-1, vocab]).crossEntropy(targets: labels)   // labels: [Int32], -100 = padding
    /// loss.backward()
    /// ```
    public func crossEntropy(targets: [Int32], ignoreIndex: Int32 = -100) -> Tensor {
        if let message = ShapeCheck.crossEntropy(logits: shape, targets: targets, ignoreIndex: ignoreIndex) {
            preconditionFailure(message)
        }
        let v = shape[rank - 1], rows = targets.count
        let kept = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        let lse = Tensor.empty([rows], dtype: dtype)

        func forward<T: TensorScalar>(_: T.Type) -> Double {
            let x = pointer(T.self), l = lse.mutablePointer(T.self)
            targets.withUnsafeBufferPointer { t in
                if rows > 0 { logSumExpKernel(x, t.baseAddress!, ignoreIndex: ignoreIndex, l, rows: rows, v: v) }
            }
            // Summed in row order in Double: deterministic whatever the thread count.
            var total = 0.0
            for (r, t) in targets.enumerated() where t != ignoreIndex {
                total += Double(l[r]) - Double(x[r * v + Int(t)])
            }
            return total
        }
        let total = dtype == .float32 ? forward(Float.self) : forward(Double.self)
        var out = Tensor.scalar(kept == 0 ? 0 : total / Double(kept), dtype: dtype)

        let logits = detached()
        out.record("crossEntropy", inputs: [self]) { g in
            let dx = Tensor.empty(logits.shape, dtype: logits.dtype)
            let scale = kept == 0 ? 0 : g.item / Double(kept)
            func backward<T: TensorScalar>(_: T.Type) {
                targets.withUnsafeBufferPointer { t in
                    if rows > 0 {
                        crossEntropyBackwardKernel(logits.pointer(T.self), t.baseAddress!, ignoreIndex: ignoreIndex,
                                                   lse.pointer(T.self), scale: T(scale), dx.mutablePointer(T.self), rows: rows, v: v)
                    }
                }
            }
            if logits.dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
            return [dx]
        }
        return out
    }
}
