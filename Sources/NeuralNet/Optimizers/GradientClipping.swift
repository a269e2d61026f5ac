import TensorCore

/// Scales the gradients of `parameters` so that their global L2 norm is at most
/// `maxNorm`, as `torch.nn.utils.clip_grad_norm_`: with `n = ‖(g₁, …, gₖ)‖₂`, every
/// gradient is multiplied by `maxNorm / (n + 1e-6)` when that factor is below 1.
/// Parameters without a gradient are skipped. Returns `n`, the norm before clipping
/// (worth logging: spikes show instabilities).
///
/// ```swift
/// loss.backward()
/// let norm = clipGradientNorm(model.parameters, maxNorm: 1.0)
/// ```
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) -> Double {
    let grads = parameters.compactMap(\.grad)
    // Each tensor's sum on some thread, then the sums in order: the same norm on any number of threads.
    var squares = [Double](repeating: 0, count: grads.count)
    squares.withUnsafeMutableBufferPointer { out in
        let sums = UncheckedSendable(out)
        Parallel.forEach(grads.count) { i in
            switch grads[i].dtype {
            case .float32: sums.value[i] = squaredNorm(Float.self, grads[i])
            case .float64: sums.value[i] = squaredNorm(Double.self, grads[i])
            }
        }
    }
    let norm = squares.reduce(0, +).squareRoot()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 { scaleInPlace(grads, by: factor) }
    return norm
}

extension Module {
    /// Clips the gradients of this layer's parameters (see `clipGradientNorm(_:maxNorm:)`);
    /// returns the norm before clipping.
    @discardableResult
    public func clipGradientNorm(maxNorm: Double) -> Double {
        NeuralNet.clipGradientNorm(parameters, maxNorm: maxNorm)
    }
}

/// Σ x² in Double, over eight independent partial sums: one running sum is a chain of
/// dependent adds the compiler may not reorder, several times slower.
private func squaredNorm<T: TensorScalar & SIMDScalar>(_: T.Type, _ g: Tensor) -> Double {
    g.withUnsafeBufferPointer(as: T.self) { p in
        guard let base = p.baseAddress else { return 0 }
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= p.count {
            let d = SIMD8<Double>(UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<T>.self))
            lanes += d * d
            i += 8
        }
        var s = lanes.sum()
        while i < p.count { let d = Double(p[i]); s += d * d; i += 1 }
        return s
    }
}

/// Multiplies every gradient buffer by `factor`, each memory element once.
///
/// Autograd may hand two leaves the same gradient buffer (the VJP of `a + b` passes the
/// output gradient to both), so scaling tensor by tensor could scale shared memory
/// twice. The buffers' address ranges are merged first and each merged range scaled once.
private func scaleInPlace(_ grads: [Tensor], by factor: Double) {
    for dtype in [DType.float32, .float64] {
        var ranges: [(start: UInt, end: UInt)] = []
        for g in grads where g.dtype == dtype && g.count > 0 {
            let start: UInt
            switch dtype {
            case .float32: start = g.withUnsafeBufferPointer(as: Float.self) { UInt(bitPattern: $0.baseAddress) }
            case .float64: start = g.withUnsafeBufferPointer(as: Double.self) { UInt(bitPattern: $0.baseAddress) }
            }
            ranges.append((start, start + UInt(g.count * dtype.byteSize)))
        }
        ranges.sort { $0.start < $1.start }
        var merged: [(start: UInt, end: UInt)] = []
        for r in ranges {
            if let last = merged.last, r.start < last.end {
                merged[merged.count - 1].end = max(last.end, r.end)
            } else {
                merged.append(r)
            }
        }
        for r in merged {
            let n = Int(r.end - r.start) / dtype.byteSize
            switch dtype {
            case .float32:
                let p = UnsafeMutablePointer<Float>(bitPattern: r.start)!
                let f = Float(factor)
                for i in 0..<n { p[i] *= f }
            case .float64:
                let p = UnsafeMutablePointer<Double>(bitPattern: r.start)!
                for i in 0..<n { p[i] *= factor }
            }
        }
    }
}
