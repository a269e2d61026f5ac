// Softmax and log-softmax over the last axis, fused forward and backward kernels.
//
// Shapes: x [..., N] viewed as R rows of N; mask broadcastable to x (additive);
// y [..., N]. Per row: m = max x, e = exp(x − m), y = e / Σe; log-softmax
// y = x − m − log Σe. Backward (g = dL/dy):
//   softmax:     dx = y ∘ (g − Σ g∘y)
//   log-softmax: dx = g − exp(y) · Σ g
// The row helpers below are shared with cross-entropy and attention.

// MARK: Exponentials of shifted rows

/// Float `y[j] = exp(x[j] − shift)` by `fastExp` (vectorisable, within ~1 ulp of `expf`,
/// about 4× faster); arguments below −87 give 0. Returns Σ y.
@inline(__always)
private func fastExpShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    for j in 0..<n { y[j] = fastExp(x[j] - shift) }
    // Four partial sums: a shorter dependency chain than one running sum.
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
    var j = 0
    while j + 4 <= n { s0 += y[j]; s1 += y[j + 1]; s2 += y[j + 2]; s3 += y[j + 3]; j += 4 }
    while j < n { s0 += y[j]; j += 1 }
    return (s0 + s1) + (s2 + s3)
}

/// Σ a[j]·b[j] over a Float row, eight lanes of partial sums (the compiler does not reorder
/// one running float sum, so that loop stays scalar).
@inline(__always)
private func floatDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var lanes = SIMD8<Float>()
    var j = 0
    while j + 8 <= n {
        lanes += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
        j += 8
    }
    var s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    while j < n { s += a[j] * b[j]; j += 1 }
    return s
}

/// Largest of a Float row, eight lanes at a time (a scalar compare loop stays scalar).
@inline(__always)
private func floatRowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: -.infinity)
    var j = 0
    while j + 8 <= n {
        let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
        lanes.replace(with: v, where: v .> lanes)
        j += 8
    }
    var m = lanes[0]
    for lane in 1..<8 where lanes[lane] > m { m = lanes[lane] }
    while j < n { if x[j] > m { m = x[j] }; j += 1 }
    return m
}

/// `y[j] = exp(x[j] − shift)` for `j < n`, returning `Σ y[j]`; `y` may be `x`.
/// Every `x[j] − shift` must be ≤ 0 (callers subtract a row maximum or log-sum-exp).
/// Float rows take the vectorised path; Double rows (gradient checks) use `exp` itself.
@inline(__always)
func expShifted<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, shift: T) -> T {
    if T.self == Float.self {
        let s = fastExpShifted(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                               UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, shift: Float(shift))
        return T(s)
    }
    var s = T(0)
    for j in 0..<n {
        let e = T.exp(x[j] - shift)
        y[j] = e
        s += e
    }
    return s
}

// MARK: Row helpers

/// Largest of `x[0..<n]` (−∞ for an empty row).
@inline(__always)
func rowMax<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
    if T.self == Float.self { return T(floatRowMax(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), n)) }
    var m = -T.infinity
    for j in 0..<n where x[j] > m { m = x[j] }
    return m
}

/// Softmax of one row in place (`p[0..<n]`), max-subtracted so that rows whose entries
/// are all large and negative (a fully masked row, −1e9 everywhere) stay finite.
/// A row whose maximum is −∞ becomes all zeros instead of NaN.
@inline(__always)
func softmaxRowInPlace<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
    let m = rowMax(p, n)
    if m == -T.infinity {
        p.update(repeating: 0, count: n)
        return
    }
    let inv = 1 / expShifted(p, p, n, shift: m)
    for j in 0..<n { p[j] *= inv }
}

/// Softmax VJP for one row: `d[j] = y[j]·(g[j] − Σ g∘y)`. `d` may alias `g` (in place).
@inline(__always)
func softmaxBackwardRow<T: TensorScalar>(_ y: UnsafePointer<T>, _ g: UnsafePointer<T>, _ d: UnsafeMutablePointer<T>, _ n: Int) {
    var dot = T(0)
    if T.self == Float.self {
        dot = T(floatDot(UnsafeRawPointer(g).assumingMemoryBound(to: Float.self), UnsafeRawPointer(y).assumingMemoryBound(to: Float.self), n))
    } else {
        for j in 0..<n { dot += g[j] * y[j] }
    }
    for j in 0..<n { d[j] = y[j] * (g[j] - dot) }
}

/// log Σ exp over one row, as m + log Σ exp(x − m); `scratch[0..<n]` receives exp(x − m)
/// (it may be `x`'s own output row).
@inline(__always)
func logSumExpRow<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int, scratch: UnsafeMutablePointer<T>) -> T {
    let m = rowMax(x, n)
    if m == -T.infinity { return m }
    return m + T.log(expShifted(x, scratch, n, shift: m))
}

/// Offsets into a broadcast operand while walking the rows (all axes but the last) of a
/// tensor of `shape`: row r of the tensor reads the operand at `offset(ofRow: r)` with
/// stride `innerStride` (1, or 0 when the operand's last axis is broadcast).
struct BroadcastRows {
    let outerDims: [Int]
    let outerStrides: [Int]
    let innerStride: Int

    /// `operand` must broadcast to `shape` (checked by the caller).
    init(shape: [Int], operand: [Int]) {
        let rank = shape.count
        let padded = [Int](repeating: 1, count: rank - operand.count) + operand
        var strides = [Int](repeating: 0, count: rank)
        var s = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = padded[axis] == 1 ? 0 : s
            s *= padded[axis]
        }
        outerDims = Array(shape.dropLast())
        outerStrides = Array(strides.dropLast())
        innerStride = rank == 0 ? 0 : strides[rank - 1]
    }

    /// Element offset of the operand's row for row `r` (O(rank), once per row).
    @inline(__always)
    func offset(ofRow r: Int) -> Int {
        var rest = r, off = 0
        for axis in stride(from: outerDims.count - 1, through: 0, by: -1) {
            off += (rest % outerDims[axis]) * outerStrides[axis]
            rest /= outerDims[axis]
        }
        return off
    }
}

extension ShapeCheck {
    /// `x.softmax(mask:)`: the mask must broadcast to x's shape without enlarging it.
    public static func softmax(_ x: [Int], mask: [Int]) -> String? {
        var desc: String { "softmax: input \(x) and mask \(mask)" }
        if x.isEmpty { return "\(desc): input needs rank ≥ 1" }
        switch broadcast("softmax", x, mask) {
        case .failure(let e): return e.description
        case .success(let out): return out == x ? nil : "\(desc): the mask would enlarge the input to \(out)"
        }
    }
}

private func softmaxKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ mask: UnsafePointer<T>?, _ maskRows: BroadcastRows?,
                                            _ y: UnsafeMutablePointer<T>, rows: Int, n: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(n, 1))) { range in
        for r in range {
            let xr = x + r * n, yr = y + r * n
            if let mask, let maskRows {
                let mr = mask + maskRows.offset(ofRow: r)
                if maskRows.innerStride == 1 {
                    for j in 0..<n { yr[j] = xr[j] + mr[j] }
                } else {
                    let c = mr[0]
                    for j in 0..<n { yr[j] = xr[j] + c }
                }
            } else {
                yr.update(from: xr, count: n)
            }
            softmaxRowInPlace(yr, n)
        }
    }
}

private func softmaxBackwardKernel<T: TensorScalar>(_ y: UnsafePointer<T>, _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                                    rows: Int, n: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(n, 1))) { range in
        for r in range { softmaxBackwardRow(y + r * n, g + r * n, dx + r * n, n) }
    }
}

private func logSoftmaxKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, rows: Int, n: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(n, 1))) { range in
        for r in range {
            let xr = x + r * n, yr = y + r * n
            let lse = logSumExpRow(xr, n, scratch: yr)
            for j in 0..<n { yr[j] = xr[j] - lse }
        }
    }
}

private func logSoftmaxBackwardKernel<T: TensorScalar>(_ y: UnsafePointer<T>, _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                                       rows: Int, n: Int) {
    Parallel.forRanges(rows, minChunk: max(1, Parallel.elementGrain / max(n, 1))) { range in
        for r in range {
            let yr = y + r * n, gr = g + r * n, dr = dx + r * n
            var s = T(0)
            for j in 0..<n { s += gr[j] }
            _ = expShifted(yr, dr, n, shift: 0)  // softmax = exp(log-softmax) ≤ 1
            for j in 0..<n { dr[j] = gr[j] - dr[j] * s }
        }
    }
}

extension Tensor {
    /// Softmax over the last axis, with an optional additive mask.
    ///
    /// `self: [..., N]`, `mask`: any shape that broadcasts to `self.shape` (e.g. `[N]`,
    /// `[B, 1, N]`), added before the softmax (0 keeps, −1e9 masks; a row masked
    /// everywhere stays finite). A mask that requires a gradient receives one.
    ///
    /// ```swift
    /// let p = scores.softmax(mask: padMask)   // scores: [B, L, L], padMask: [B, 1, L]
    /// ```
    public func softmax(mask: Tensor? = nil) -> Tensor {
        if let mask {
            if let message = ShapeCheck.softmax(shape, mask: mask.shape) { preconditionFailure(message) }
            precondition(mask.dtype == dtype, "softmax: input dtype \(dtype) and mask dtype \(mask.dtype) differ")
        } else {
            precondition(rank >= 1, "softmax: input \(shape) needs rank ≥ 1")
        }
        let n = shape[rank - 1], rows = n == 0 ? 0 : count / n
        var out = Tensor.empty(shape, dtype: dtype)
        let maskRows = mask.map { BroadcastRows(shape: shape, operand: $0.shape) }
        switch dtype {
        case .float32:
            softmaxKernel(pointer(Float.self), mask?.pointer(Float.self), maskRows, out.mutablePointer(Float.self), rows: rows, n: n)
        case .float64:
            softmaxKernel(pointer(Double.self), mask?.pointer(Double.self), maskRows, out.mutablePointer(Double.self), rows: rows, n: n)
        }
        let y = out  // no node yet: capturing it does not make a cycle through the tape
        let inputRequires = requiresGrad
        let maskShape = mask?.shape
        out.record("softmax", inputs: [self] + (mask.map { [$0] } ?? [])) { g in
            let dx = Tensor.empty(y.shape, dtype: y.dtype)
            switch y.dtype {
            case .float32:
                softmaxBackwardKernel(y.pointer(Float.self), g.pointer(Float.self), dx.mutablePointer(Float.self), rows: rows, n: n)
            case .float64:
                softmaxBackwardKernel(y.pointer(Double.self), g.pointer(Double.self), dx.mutablePointer(Double.self), rows: rows, n: n)
            }
            var grads: [Tensor?] = [inputRequires ? dx : nil]
            if let mask, let maskShape { grads.append(mask.requiresGrad ? dx.sumToShape(maskShape) : nil) }
            return grads
        }
        return out
    }

    /// Log-softmax over the last axis: `x − log Σ exp(x)`, computed stably.
    ///
    /// `self: [..., N]` → `[..., N]`.
    public func logSoftmax() -> Tensor {
        precondition(rank >= 1, "logSoftmax: input \(shape) needs rank ≥ 1")
        let n = shape[rank - 1], rows = n == 0 ? 0 : count / n
        var out = Tensor.empty(shape, dtype: dtype)
        switch dtype {
        case .float32: logSoftmaxKernel(pointer(Float.self), out.mutablePointer(Float.self), rows: rows, n: n)
        case .float64: logSoftmaxKernel(pointer(Double.self), out.mutablePointer(Double.self), rows: rows, n: n)
        }
        let y = out
        out.record("logSoftmax", inputs: [self]) { g in
            let dx = Tensor.empty(y.shape, dtype: y.dtype)
            switch y.dtype {
            case .float32:
                logSoftmaxBackwardKernel(y.pointer(Float.self), g.pointer(Float.self), dx.mutablePointer(Float.self), rows: rows, n: n)
            case .float64:
                logSoftmaxBackwardKernel(y.pointer(Double.self), g.pointer(Double.self), dx.mutablePointer(Double.self), rows: rows, n: n)
            }
            return [dx]
        }
        return out
    }
}
