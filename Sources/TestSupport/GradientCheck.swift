import XCTest
import TensorCore

/// Compares the autograd VJP of `f` with central finite differences, in Float64.
///
/// The inputs are converted to Float64 leaves; the output is projected onto a fixed
/// random direction `r` (so every output element contributes), and
/// `d(Σ r·f)/dx` from `backward()` is compared with `(L(x+ε) − L(x−ε)) / 2ε`
/// element by element for every input. Inputs listed in `constant` get no gradient
/// check (e.g. masks, indices).
///
/// ```swift
/// checkGradients([a, b]) { $0[0] * $0[1] }
/// ```
public func checkGradients(_ inputs: [Tensor], constant: Set<Int> = [], eps: Double = 1e-6,
                           rtol: Double = 1e-5, atol: Double = 1e-7, seed: UInt64 = 0,
                           _ what: @autoclosure () -> String = "",
                           file: StaticString = #filePath, line: UInt = #line,
                           _ f: ([Tensor]) -> Tensor) {
    let base = inputs.enumerated().map { i, t in
        constant.contains(i) ? t.converted(to: .float64) : t.converted(to: .float64).requiringGrad()
    }
    let out = f(base)
    guard out.dtype == .float64 else {
        XCTFail("\(what()): f returned \(out.dtype) for Float64 inputs", file: file, line: line)
        return
    }
    var rng = SeededRNG(seed: seed)
    let direction = Tensor.randn(out.shape, dtype: .float64, rng: &rng)
    let r = direction.doubles
    (out * direction).sumToShape([]).backward()

    func objective(_ xs: [Tensor]) -> Double {
        withNoGrad { zip(f(xs).doubles, r).reduce(0) { $0 + $1.0 * $1.1 } }
    }
    for (i, x) in base.enumerated() where !constant.contains(i) {
        guard let analytic = x.grad else {
            XCTFail("\(what()): input \(i) received no gradient", file: file, line: line)
            continue
        }
        var values = x.doubles
        var numeric = [Double](repeating: 0, count: values.count)
        for j in 0..<values.count {
            let saved = values[j]
            var xs = base.map { $0.detached() }
            values[j] = saved + eps
            xs[i] = Tensor(values, shape: x.shape, as: Double.self)
            let plus = objective(xs)
            values[j] = saved - eps
            xs[i] = Tensor(values, shape: x.shape, as: Double.self)
            let minus = objective(xs)
            values[j] = saved
            numeric[j] = (plus - minus) / (2 * eps)
        }
        assertClose(analytic.doubles, numeric, shape: x.shape, rtol: rtol, atol: atol,
                    "\(what()) d/d(input \(i)) \(x.shape)", file: file, line: line)
    }
}
