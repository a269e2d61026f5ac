// Element-wise ops with a scalar constant.

private func affineKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ scale: T, _ shift: T) {
    Parallel.forRanges(n, minChunk: 1 << 16) { r in
        for i in r { y[i] = x[i] * scale + shift }
    }
}

extension Tensor {
    /// `self · scale + shift`, element-wise.
    public func affine(scale: Double, shift: Double) -> Tensor {
        var out = Tensor.empty(shape, dtype: dtype)
        switch dtype {
        case .float32: affineKernel(pointer(Float.self), out.mutablePointer(Float.self), count, Float(scale), Float(shift))
        case .float64: affineKernel(pointer(Double.self), out.mutablePointer(Double.self), count, scale, shift)
        }
        out.record("affine", inputs: [self]) { g in [scale == 1 ? g : g.affine(scale: scale, shift: 0)] }
        return out
    }

    /// `self · s`.
    public func scaled(by s: Double) -> Tensor { affine(scale: s, shift: 0) }

    public static func * (a: Tensor, s: Double) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func * (s: Double, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func + (a: Tensor, s: Double) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Double) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func / (a: Tensor, s: Double) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1, shift: 0) }
}
