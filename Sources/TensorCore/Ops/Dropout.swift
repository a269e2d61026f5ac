// Inverted dropout: y = x ∘ m with m_i = 1/(1−p) (kept, probability 1−p) or 0.
//
// Shapes: x, m, y [...] (same shape). Backward: dx = g ∘ m.
// The mask is drawn in fixed blocks of `blockSize` elements, block c from its own
// generator seeded by (one draw from the caller's rng, c): blocks fill in parallel and the
// mask depends only on the seed and the shape, never on the thread count.

private let dropoutBlockSize = 1 << 14

private func dropoutKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>,
                                            count: Int, p: Double, seed: UInt64) {
    let keepValue = T(1 / (1 - p))
    let blocks = (count + dropoutBlockSize - 1) / dropoutBlockSize
    Parallel.forRanges(blocks, minChunk: 1) { range in
        for block in range {
            // Golden-ratio stride between block seeds; SplitMix64 in SeededRNG.init decorrelates them.
            var rng = SeededRNG(seed: seed &+ UInt64(block) &* 0x9E37_79B9_7F4A_7C15)
            let start = block * dropoutBlockSize, end = min(count, start + dropoutBlockSize)
            for i in start..<end {
                let keep = rng.nextUniform() >= p
                m[i] = keep ? keepValue : 0
                y[i] = keep ? x[i] * keepValue : 0
            }
        }
    }
}

private func multiplyKernel<T: TensorScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, count: Int) {
    Parallel.forRanges(count, minChunk: 1 << 16) { range in
        for i in range { c[i] = a[i] * b[i] }
    }
}

extension Tensor {
    /// Inverted dropout: each element is zeroed with probability `p` and the survivors are
    /// scaled by 1/(1−p), so the expectation is unchanged. The identity when `p == 0`.
    ///
    /// `self: [...]` → same shape. Draws one value from `rng` when `p > 0`; the same
    /// generator state gives the same mask.
    ///
    /// ```swift
    /// let h = config.dropout > 0 && training ? x.dropout(p: config.dropout, rng: &rng) : x
    /// ```
    public func dropout(p: Double, rng: inout SeededRNG) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: p must be in [0, 1], got \(p)")
        if p == 0 { return self }
        let seed = rng.next()
        if p == 1 {
            var out = Tensor.zeros(shape, dtype: dtype)
            out.record("dropout", inputs: [self]) { g in [Tensor.zeros(g.shape, dtype: g.dtype)] }
            return out
        }
        var out = Tensor.empty(shape, dtype: dtype)
        let mask = Tensor.empty(shape, dtype: dtype)
        switch dtype {
        case .float32:
            dropoutKernel(pointer(Float.self), out.mutablePointer(Float.self), mask.mutablePointer(Float.self), count: count, p: p, seed: seed)
        case .float64:
            dropoutKernel(pointer(Double.self), out.mutablePointer(Double.self), mask.mutablePointer(Double.self), count: count, p: p, seed: seed)
        }
        out.record("dropout", inputs: [self]) { g in
            let dx = Tensor.empty(mask.shape, dtype: mask.dtype)
            switch mask.dtype {
            case .float32: multiplyKernel(g.pointer(Float.self), mask.pointer(Float.self), dx.mutablePointer(Float.self), count: mask.count)
            case .float64: multiplyKernel(g.pointer(Double.self), mask.pointer(Double.self), dx.mutablePointer(Double.self), count: mask.count)
            }
            return [dx]
        }
        return out
    }
}
