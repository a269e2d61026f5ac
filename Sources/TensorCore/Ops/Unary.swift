// Element-wise unary functions and their derivatives.
//
// Forward y = f(x); backward dx = g · f'(x), with f' written from x and y:
//   exp      y = eˣ                       f' = y
//   log      y = ln x                     f' = 1 / x
//   sqrt     y = √x                       f' = 1 / (2y)
//   tanh     y = tanh x                   f' = 1 − y²
//   sigmoid  y = 1 / (1 + e⁻ˣ)            f' = y (1 − y)
//   relu     y = max(x, 0)                f' = [x > 0]
//   gelu     y = x Φ(x), Φ(x) = ½(1 + erf(x/√2))              f' = Φ(x) + x φ(x)
//   geluTanh y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³)   f' = ½(1 + t) + ½x(1 − t²) u'(x)
//   square   y = x²                       f' = 2x
// Both passes are one loop per function over flat buffers (the switch sits outside the
// loop), split over threads above `unaryGrain` elements.

enum UnaryOp: String { case exp, log, sqrt, tanh, sigmoid, relu, gelu, geluTanh, square }

/// Elements below which an element-wise pass runs on one thread.
private let unaryGrain = Parallel.elementGrain

/// √(2/π), for the tanh form of GELU.
private let sqrt2OverPi = 0.7978845608028654
/// 1/√2 and 1/√(2π), for the erf form of GELU.
private let inverseSqrt2 = 0.7071067811865476
private let inverseSqrt2Pi = 0.3989422804014327
private let geluCubic = 0.044715

private func unaryForward<T: TensorScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    Parallel.forRanges(n, minChunk: unaryGrain) { r in
        switch op {
        case .exp: for i in r { y[i] = T.exp(x[i]) }
        case .log: for i in r { y[i] = T.log(x[i]) }
        case .sqrt: for i in r { y[i] = T.sqrt(x[i]) }
        case .tanh: for i in r { y[i] = T.tanh(x[i]) }
        case .sigmoid: for i in r { y[i] = 1 / (1 + T.exp(-x[i])) }
        case .relu: for i in r { y[i] = x[i] < 0 ? 0 : x[i] }  // NaN passes through
        case .gelu:
            let c = T(inverseSqrt2)
            for i in r { let v = x[i]; y[i] = T(0.5) * v * (1 + T.erf(v * c)) }
        case .geluTanh:
            let a = T(sqrt2OverPi), b = T(geluCubic)
            for i in r { let v = x[i]; y[i] = T(0.5) * v * (1 + T.tanh(a * (v + b * v * v * v))) }
        case .square: for i in r { y[i] = x[i] * x[i] }
        }
    }
}

private func unaryBackward<T: TensorScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ g: UnsafePointer<T>,
                                            _ dx: UnsafeMutablePointer<T>, _ n: Int) {
    Parallel.forRanges(n, minChunk: unaryGrain) { r in
        switch op {
        case .exp: for i in r { dx[i] = g[i] * y[i] }
        case .log: for i in r { dx[i] = g[i] / x[i] }
        case .sqrt: for i in r { dx[i] = g[i] / (2 * y[i]) }
        case .tanh: for i in r { dx[i] = g[i] * (1 - y[i] * y[i]) }
        case .sigmoid: for i in r { dx[i] = g[i] * y[i] * (1 - y[i]) }
        case .relu: for i in r { let gi = g[i]; dx[i] = x[i] > 0 ? gi : 0 }  // unconditional load: vectorises
        case .gelu:
            let c = T(inverseSqrt2), d = T(inverseSqrt2Pi)
            for i in r {
                let v = x[i]
                let cdf = T(0.5) * (1 + T.erf(v * c)), pdf = d * vectorisableExp(T(-0.5) * Swift.min(v * v, 170))
                dx[i] = g[i] * (cdf + v * pdf)
            }
        case .geluTanh:
            let a = T(sqrt2OverPi), b = T(geluCubic)
            for i in r {
                let v = x[i]
                let t = T.tanh(a * (v + b * v * v * v))
                let du = a * (1 + 3 * b * v * v)
                dx[i] = g[i] * (T(0.5) * (1 + t) + T(0.5) * v * (1 - t * t) * du)
            }
        case .square: for i in r { dx[i] = g[i] * 2 * x[i] }
        }
    }
}

extension Tensor {
    /// `op` applied element-wise, with its VJP on the tape.
    private func unary(_ op: UnaryOp) -> Tensor {
        var out = Tensor.empty(shape, dtype: dtype)
        switch dtype {
        case .float32: unaryForward(op, pointer(Float.self), out.mutablePointer(Float.self), count)
        case .float64: unaryForward(op, pointer(Double.self), out.mutablePointer(Double.self), count)
        }
        let x = detached(), y = out.detached()
        out.record(op.rawValue, inputs: [self]) { g in
            let dx = Tensor.empty(x.shape, dtype: x.dtype)
            switch x.dtype {
            case .float32:
                unaryBackward(op, x.pointer(Float.self), y.pointer(Float.self), g.pointer(Float.self), dx.mutablePointer(Float.self), x.count)
            case .float64:
                unaryBackward(op, x.pointer(Double.self), y.pointer(Double.self), g.pointer(Double.self), dx.mutablePointer(Double.self), x.count)
            }
            return [dx]
        }
        return out
    }

    /// eˣ, element-wise.
    public func exp() -> Tensor { unary(.exp) }

    /// Natural logarithm, element-wise (NaN for negative inputs, −∞ at 0).
    public func log() -> Tensor { unary(.log) }

    /// √x, element-wise.
    public func sqrt() -> Tensor { unary(.sqrt) }

    /// tanh x, element-wise.
    public func tanh() -> Tensor { unary(.tanh) }

    /// 1 / (1 + e⁻ˣ), element-wise.
    public func sigmoid() -> Tensor { unary(.sigmoid) }

    /// max(x, 0), element-wise (gradient 0 at x = 0).
    public func relu() -> Tensor { unary(.relu) }

    /// GELU, element-wise: x·Φ(x) with the exact normal CDF (erf form), or with
    /// `approximate: true` the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³))) that T5's
    /// "gelu_new" uses.
    public func gelu(approximate: Bool = false) -> Tensor { unary(approximate ? .geluTanh : .gelu) }

    /// x², element-wise.
    public func square() -> Tensor { unary(.square) }
}
