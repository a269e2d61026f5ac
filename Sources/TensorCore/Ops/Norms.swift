// RMS norm (T5) and layer norm over the last axis, fused forward and backward kernels.
//
// Shapes: x [..., D] viewed as R rows of D; w, b [D]; y [..., D]; per-row statistics [R].
// RMS norm:   r = 1/√(mean x² + eps), x̂ = x·r, y = x̂∘w
// layer norm: μ = mean x, r = 1/√(mean (x−μ)² + eps), x̂ = (x−μ)·r, y = x̂∘w + b
// Backward (g = dL/dy, ĝ = g∘w):
//   RMS norm:   dx = r·(ĝ − x̂·mean(ĝ∘x̂))
//   layer norm: dx = r·(ĝ − mean ĝ − x̂·mean(ĝ∘x̂))
//   dw = Σ_rows g∘x̂, db = Σ_rows g
// dw and db are summed per row chunk into private partial rows, then the partials are
// added in chunk order (no atomics, same result for the same thread count).

extension ShapeCheck {
    /// `rmsNorm` / `layerNorm`: weight (and bias) must be `[D]` with D the last axis of x.
    public static func norm(_ op: String, _ x: [Int], weight: [Int], bias: [Int]?) -> String? {
        guard let d = x.last else { return "\(op): input \(x) needs rank ≥ 1" }
        if weight != [d] { return "\(op): weight \(weight) does not match input \(x) (expected [\(d)])" }
        if let bias, bias != [d] { return "\(op): bias \(bias) does not match input \(x) (expected [\(d)])" }
        return nil
    }
}

/// Row chunks for a reduction over rows: at most `Parallel.threads`, at least `minRows` each.
private struct RowChunks {
    let count: Int
    let step: Int

    init(rows: Int, minRows: Int) {
        count = max(1, min(Parallel.threads, rows / max(minRows, 1)))
        step = (rows + count - 1) / count
    }

    func range(_ c: Int, rows: Int) -> Range<Int> { min(rows, c * step)..<min(rows, (c + 1) * step) }
}

// MARK: RMS norm

private func rmsNormKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, eps: T,
                                            _ y: UnsafeMutablePointer<T>, _ rstd: UnsafeMutablePointer<T>, rows: Int, d: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(d, 1))) { range in
        for r in range {
            let xr = x + r * d, yr = y + r * d
            var ss = T(0)
            for j in 0..<d { ss += xr[j] * xr[j] }
            let inv = 1 / T.sqrt(ss / T(d) + eps)
            rstd[r] = inv
            for j in 0..<d { yr[j] = xr[j] * inv * w[j] }
        }
    }
}

/// dx (rows × d) and per-chunk partial dw (chunks × d).
private func rmsNormBackwardKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ rstd: UnsafePointer<T>,
                                                    _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                                    _ dwPartial: UnsafeMutablePointer<T>, chunks: RowChunks, rows: Int, d: Int) {
    Parallel.forEach(chunks.count) { c in
        let dw = dwPartial + c * d
        dw.update(repeating: 0, count: d)
        for r in chunks.range(c, rows: rows) {
            let xr = x + r * d, gr = g + r * d, dr = dx + r * d
            let inv = rstd[r]
            var dot = T(0)
            for j in 0..<d {
                let xhat = xr[j] * inv
                dot += gr[j] * w[j] * xhat
                dw[j] += gr[j] * xhat
            }
            let meanGX = dot / T(d)
            for j in 0..<d { dr[j] = inv * (gr[j] * w[j] - xr[j] * inv * meanGX) }
        }
    }
}

// MARK: Layer norm

private func layerNormKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ b: UnsafePointer<T>?, eps: T,
                                              _ y: UnsafeMutablePointer<T>, _ mean: UnsafeMutablePointer<T>,
                                              _ rstd: UnsafeMutablePointer<T>, rows: Int, d: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(d, 1))) { range in
        for r in range {
            let xr = x + r * d, yr = y + r * d
            var s = T(0)
            for j in 0..<d { s += xr[j] }
            let mu = s / T(d)
            var ss = T(0)
            for j in 0..<d { let c = xr[j] - mu; ss += c * c }
            let inv = 1 / T.sqrt(ss / T(d) + eps)
            mean[r] = mu
            rstd[r] = inv
            if let b {
                for j in 0..<d { yr[j] = (xr[j] - mu) * inv * w[j] + b[j] }
            } else {
                for j in 0..<d { yr[j] = (xr[j] - mu) * inv * w[j] }
            }
        }
    }
}

/// dx (rows × d) and per-chunk partials of dw and db (each chunks × d).
private func layerNormBackwardKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ mean: UnsafePointer<T>,
                                                      _ rstd: UnsafePointer<T>, _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                                      _ dwPartial: UnsafeMutablePointer<T>, _ dbPartial: UnsafeMutablePointer<T>,
                                                      chunks: RowChunks, rows: Int, d: Int) {
    Parallel.forEach(chunks.count) { c in
        let dw = dwPartial + c * d, db = dbPartial + c * d
        dw.update(repeating: 0, count: d)
        db.update(repeating: 0, count: d)
        for r in chunks.range(c, rows: rows) {
            let xr = x + r * d, gr = g + r * d, dr = dx + r * d
            let mu = mean[r], inv = rstd[r]
            var sumG = T(0), dot = T(0)
            for j in 0..<d {
                let xhat = (xr[j] - mu) * inv
                let gh = gr[j] * w[j]
                sumG += gh
                dot += gh * xhat
                dw[j] += gr[j] * xhat
                db[j] += gr[j]
            }
            let meanG = sumG / T(d), meanGX = dot / T(d)
            for j in 0..<d { dr[j] = inv * (gr[j] * w[j] - meanG - (xr[j] - mu) * inv * meanGX) }
        }
    }
}

/// Adds the `chunks` partial rows of `partial` (chunks × d) into a new `[d]` tensor.
private func sumPartials<T: TensorScalar>(_ partial: UnsafePointer<T>, chunks: Int, d: Int, into out: UnsafeMutablePointer<T>) {
    out.update(repeating: 0, count: d)
    for c in 0..<chunks {
        let p = partial + c * d
        for j in 0..<d { out[j] += p[j] }
    }
}

extension Tensor {
    /// T5-style RMS norm over the last axis: `x / √(mean(x²) + eps) · weight`
    /// (no mean subtraction, no bias).
    ///
    /// `self: [..., D]`, `weight: [D]` → `[..., D]`.
    ///
    /// ```swift
    /// let h = x.rmsNorm(weight: layerNormWeight)   // x: [B, L, 256], weight: [256]
    /// ```
    public func rmsNorm(weight: Tensor, eps: Double = 1e-6) -> Tensor {
        if let message = ShapeCheck.norm("rmsNorm", shape, weight: weight.shape, bias: nil) { preconditionFailure(message) }
        precondition(weight.dtype == dtype, "rmsNorm: input dtype \(dtype) and weight dtype \(weight.dtype) differ")
        let d = shape[rank - 1], rows = d == 0 ? 0 : count / d
        var out = Tensor.empty(shape, dtype: dtype)
        let rstd = Tensor.empty([rows], dtype: dtype)
        switch dtype {
        case .float32:
            rmsNormKernel(pointer(Float.self), weight.pointer(Float.self), eps: Float(eps), out.mutablePointer(Float.self),
                          rstd.mutablePointer(Float.self), rows: rows, d: d)
        case .float64:
            rmsNormKernel(pointer(Double.self), weight.pointer(Double.self), eps: eps, out.mutablePointer(Double.self),
                          rstd.mutablePointer(Double.self), rows: rows, d: d)
        }
        let x = detached(), w = weight.detached()
        let needX = requiresGrad, needW = weight.requiresGrad
        out.record("rmsNorm", inputs: [self, weight]) { g in
            let dx = Tensor.empty(x.shape, dtype: x.dtype), dw = Tensor.empty([d], dtype: x.dtype)
            let chunks = RowChunks(rows: rows, minRows: Swift.max(1, Parallel.elementGrain / Swift.max(d, 1)))
            let partial = Tensor.empty([chunks.count, d], dtype: x.dtype)
            func run<T: TensorScalar>(_: T.Type) {
                rmsNormBackwardKernel(x.pointer(T.self), w.pointer(T.self), rstd.pointer(T.self), g.pointer(T.self),
                                      dx.mutablePointer(T.self), partial.mutablePointer(T.self), chunks: chunks, rows: rows, d: d)
                sumPartials(partial.pointer(T.self), chunks: chunks.count, d: d, into: dw.mutablePointer(T.self))
            }
            if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
            return [needX ? dx : nil, needW ? dw : nil]
        }
        return out
    }

    /// Layer norm over the last axis: `(x − mean) / √(var + eps) · weight + bias`
    /// (biased variance, as PyTorch).
    ///
    /// `self: [..., D]`, `weight: [D]`, `bias: [D]?` → `[..., D]`.
    ///
    /// ```swift
    /// let h = x.layerNorm(weight: gamma, bias: beta)   // x: [B, L, 256]
    /// ```
    public func layerNorm(weight: Tensor, bias: Tensor? = nil, eps: Double = 1e-5) -> Tensor {
        if let message = ShapeCheck.norm("layerNorm", shape, weight: weight.shape, bias: bias?.shape) { preconditionFailure(message) }
        precondition(weight.dtype == dtype && (bias?.dtype ?? dtype) == dtype,
                     "layerNorm: input dtype \(dtype), weight dtype \(weight.dtype) and bias dtype \(bias?.dtype ?? dtype) differ")
        let d = shape[rank - 1], rows = d == 0 ? 0 : count / d
        var out = Tensor.empty(shape, dtype: dtype)
        let mean = Tensor.empty([rows], dtype: dtype), rstd = Tensor.empty([rows], dtype: dtype)
        switch dtype {
        case .float32:
            layerNormKernel(pointer(Float.self), weight.pointer(Float.self), bias?.pointer(Float.self), eps: Float(eps),
                            out.mutablePointer(Float.self), mean.mutablePointer(Float.self), rstd.mutablePointer(Float.self),
                            rows: rows, d: d)
        case .float64:
            layerNormKernel(pointer(Double.self), weight.pointer(Double.self), bias?.pointer(Double.self), eps: eps,
                            out.mutablePointer(Double.self), mean.mutablePointer(Double.self), rstd.mutablePointer(Double.self),
                            rows: rows, d: d)
        }
        let x = detached(), w = weight.detached()
        let needX = requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let hasBias = bias != nil
        out.record("layerNorm", inputs: inputs) { g in
            let dx = Tensor.empty(x.shape, dtype: x.dtype)
            let dw = Tensor.empty([d], dtype: x.dtype), db = Tensor.empty([d], dtype: x.dtype)
            let chunks = RowChunks(rows: rows, minRows: Swift.max(1, Parallel.elementGrain / Swift.max(d, 1)))
            let dwPartial = Tensor.empty([chunks.count, d], dtype: x.dtype)
            let dbPartial = Tensor.empty([chunks.count, d], dtype: x.dtype)
            func run<T: TensorScalar>(_: T.Type) {
                layerNormBackwardKernel(x.pointer(T.self), w.pointer(T.self), mean.pointer(T.self), rstd.pointer(T.self),
                                        g.pointer(T.self), dx.mutablePointer(T.self), dwPartial.mutablePointer(T.self),
                                        dbPartial.mutablePointer(T.self), chunks: chunks, rows: rows, d: d)
                sumPartials(dwPartial.pointer(T.self), chunks: chunks.count, d: d, into: dw.mutablePointer(T.self))
                sumPartials(dbPartial.pointer(T.self), chunks: chunks.count, d: d, into: db.mutablePointer(T.self))
            }
            if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
            var grads: [Tensor?] = [needX ? dx : nil, needW ? dw : nil]
            if hasBias { grads.append(needB ? db : nil) }
            return grads
        }
        return out
    }
}
