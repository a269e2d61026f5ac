import XCTest
import TensorCore
import TestSupport

/// Softmax over rows of `n` by the textbook formula exp(xᵢ)/Σ exp(xⱼ), in Double.
func naiveSoftmaxRows(_ x: [Double], n: Int) -> [Double] {
    var y = x
    for r in 0..<(x.count / n) {
        var s = 0.0
        for j in 0..<n { s += Foundation.exp(x[r * n + j]) }
        for j in 0..<n { y[r * n + j] = Foundation.exp(x[r * n + j]) / s }
    }
    return y
}

/// `mask` broadcast up to `shape` (NumPy rules), by explicit index arithmetic.
func naiveBroadcast(_ mask: [Double], from maskShape: [Int], to shape: [Int]) -> [Double] {
    let count = shape.reduce(1, *)
    let padded = [Int](repeating: 1, count: shape.count - maskShape.count) + maskShape
    return (0..<count).map { i in
        let index = unravel(i, shape)
        var flat = 0
        for axis in 0..<shape.count { flat = flat * padded[axis] + (padded[axis] == 1 ? 0 : index[axis]) }
        return mask[flat]
    }
}

final class SoftmaxTests: XCTestCase {
    /// Input shapes with mask shapes that broadcast along every kind of axis (nil = no mask).
    static let cases: [([Int], [Int]?)] = [
        ([5], nil), ([1, 1], nil), ([1, 1], [1]), ([3, 1], [1]), ([2, 3, 4], [4]), ([2, 3, 4], [2, 1, 4]),
        ([2, 3, 4], [3, 1]), ([1, 2, 3], [1, 2, 3]), ([2, 1, 5], nil),
    ]

    func testForwardMatchesNaiveWithBroadcastMasks() {
        var rng = SeededRNG(seed: 11)
        for (shape, maskShape) in Self.cases {
            let x = Tensor.randn(shape, std: 2, dtype: .float64, rng: &rng)
            let mask = maskShape.map { Tensor.randn($0, dtype: .float64, rng: &rng) }
            var z = x.doubles
            if let mask, let maskShape {
                let m = naiveBroadcast(mask.doubles, from: maskShape, to: shape)
                for i in z.indices { z[i] += m[i] }
            }
            let n = shape.last!
            assertClose(x.softmax(mask: mask).doubles, naiveSoftmaxRows(z, n: n), rtol: 1e-12, atol: 1e-14,
                        "softmax \(shape) mask \(String(describing: maskShape))")
            assertClose(x.logSoftmax().doubles, naiveSoftmaxRows(x.doubles, n: n).map { Foundation.log($0) },
                        rtol: 1e-12, atol: 1e-12, "logSoftmax \(shape)")
        }
    }

    func testGradientsOfInputAndMask() {
        var rng = SeededRNG(seed: 12)
        for (shape, maskShape) in Self.cases {
            let x = Tensor.randn(shape, dtype: .float64, rng: &rng)
            if let maskShape {
                let mask = Tensor.randn(maskShape, dtype: .float64, rng: &rng)
                checkGradients([x, mask], "softmax \(shape) mask \(maskShape)") { $0[0].softmax(mask: $0[1]) }
            } else {
                checkGradients([x], "softmax \(shape)") { $0[0].softmax() }
            }
            checkGradients([x], "logSoftmax \(shape)") { $0[0].logSoftmax() }
        }
    }

    func testMatchesComposedPrimitives() {
        var rng = SeededRNG(seed: 14)
        for (shape, maskShape) in Self.cases {
            let x = Tensor.randn(shape, std: 2, dtype: .float64, rng: &rng)
            if let maskShape {
                let mask = Tensor.randn(maskShape, dtype: .float64, rng: &rng)
                assertFusedMatchesComposed([x, mask], "softmax \(shape) mask \(maskShape)",
                                           fused: { $0[0].softmax(mask: $0[1]) }, composed: { composedSoftmax($0[0], mask: $0[1]) })
            } else {
                assertFusedMatchesComposed([x], "softmax \(shape)", fused: { $0[0].softmax() }, composed: { composedSoftmax($0[0]) })
            }
            assertFusedMatchesComposed([x], "logSoftmax \(shape)", fused: { $0[0].logSoftmax() }, composed: { composedLogSoftmax($0[0]) })
        }
    }

    /// Float rows take eight-lane paths (row maximum, the backward's dot product) with a
    /// scalar tail: every length from 1 to 19, the maximum in the lanes or in the tail, forward
    /// and backward against Double.
    func testFloatRowsOfEveryLengthAgreeWithDouble() {
        var rng = SeededRNG(seed: 61)
        for n in 1..<20 {
            for peak in [0, n - 1, n / 2] {
                var values = (0..<(3 * n)).map { _ in rng.nextNormal() * 3 }
                for r in 0..<3 { values[r * n + peak] += 20 }
                let x64 = Tensor(values, shape: [3, n], as: Double.self).requiringGrad()
                let x32 = x64.detached().converted(to: .float32).requiringGrad()
                let weights = Tensor((0..<(3 * n)).map { _ in rng.nextNormal() }, shape: [3, n], as: Double.self)
                (x64.softmax() * weights).sum().backward()
                (x32.softmax() * weights.converted(to: .float32)).sum().backward()
                assertClose(x32.softmax().converted(to: .float64), x64.softmax(), rtol: 1e-5, atol: 1e-7, "softmax n \(n) peak \(peak)")
                assertClose(x32.grad!.converted(to: .float64), x64.grad!, rtol: 1e-4, atol: 1e-6, "softmax gradient n \(n) peak \(peak)")
            }
        }
    }

    func testMaskedEntriesVanishAndFullyMaskedRowsStayFinite() {
        // Row 0: last entry masked; row 1: every entry masked (-1e9), as for a padded query.
        let x = Tensor([0.5, -1, 2, 3, 1, -2], shape: [2, 3])
        let mask = Tensor([0, 0, -1e9, -1e9, -1e9, -1e9], shape: [2, 3])
        let y = x.softmax(mask: mask).doubles
        XCTAssertTrue(y.allSatisfy { $0.isFinite }, "softmax of a fully masked row: \(y)")
        XCTAssertEqual(y[2], 0)
        assertClose(Array(y[0..<2]), naiveSoftmaxRows([0.5, -1], n: 2), rtol: 1e-6, atol: 1e-7, "kept entries")
        XCTAssertEqual(y[3] + y[4] + y[5], 1, accuracy: 1e-6)
        let large = Tensor([1000, 999, -1000], shape: [3]).logSoftmax().doubles
        XCTAssertTrue(large.allSatisfy { $0.isFinite }, "logSoftmax of large logits: \(large)")
        XCTAssertEqual(large[0], -Foundation.log(1 + Foundation.exp(-1)), accuracy: 1e-4)
    }

    func testFloat32AgreesWithFloat64() {
        // Inputs are multiples of 1/16, so x + mask − max is exact in Float32 and the remaining
        // difference from Float64 is the kernel's own (its vectorised exp: ~1 ulp, the sum and
        // the division), over exponents down to about −80.
        var rng = SeededRNG(seed: 13)
        func sixteenths(_ shape: [Int], std: Double) -> Tensor {
            let values = Tensor.randn(shape, std: std, dtype: .float64, rng: &rng).doubles.map { Float(($0 * 16).rounded() / 16) }
            return Tensor(values, shape: shape)
        }
        let x = sixteenths([16, 301], std: 8), mask = sixteenths([301], std: 1)
        let x64 = x.converted(to: .float64), mask64 = mask.converted(to: .float64)
        assertClose(x.softmax(mask: mask).doubles, x64.softmax(mask: mask64).doubles, rtol: 1e-6, atol: 1e-30, "softmax float32")
        assertClose(x.logSoftmax().doubles, x64.logSoftmax().doubles, rtol: 2e-6, atol: 1e-5, "logSoftmax float32")
        let g = Tensor.randn([16, 301], rng: &rng)
        func backward(_ t: Tensor, _ g: Tensor, log: Bool) -> [Double] {
            let leaf = t.requiringGrad()
            (log ? leaf.logSoftmax() : leaf.softmax()).backward(seed: g)
            return leaf.grad!.doubles
        }
        for log in [false, true] {
            assertClose(backward(x, g, log: log), backward(x64, g.converted(to: .float64), log: log), rtol: 1e-5, atol: 1e-6,
                        "\(log ? "logSoftmax" : "softmax") backward float32")
        }
    }

    func testMaskShapeErrorsNameBothShapes() {
        XCTAssertNil(ShapeCheck.softmax([2, 3, 4], mask: [3, 1]))
        XCTAssertEqual(ShapeCheck.softmax([2, 3], mask: [2, 2, 3]),
                       "softmax: input [2, 3] and mask [2, 2, 3]: the mask would enlarge the input to [2, 2, 3]")
        XCTAssertEqual(ShapeCheck.softmax([2, 3], mask: [4]),
                       "softmax: shapes [2, 3] and [4] cannot be broadcast (axis 1: 3 vs 4)")
    }
}

// MARK: Composed references (shared by the fused-op tests)

/// Softmax over the last axis composed from primitives: e = exp(z − max z), e / Σe.
/// The max is detached: it only shifts for stability and cancels in the gradient.
func composedSoftmax(_ x: Tensor, mask: Tensor? = nil) -> Tensor {
    let z = mask.map { x + $0 } ?? x
    let e = (z - z.max(axes: [-1], keepDims: true).detached()).exp()
    return e / e.sum(axes: [-1], keepDims: true)
}

/// Log-softmax over the last axis composed from primitives: (x − m) − log Σ exp(x − m).
func composedLogSoftmax(_ x: Tensor) -> Tensor {
    let shifted = x - x.max(axes: [-1], keepDims: true).detached()
    return shifted - shifted.exp().sum(axes: [-1], keepDims: true).log()
}

/// Runs `fused` and `composed` on the same Float64 inputs and compares their outputs and,
/// for one random output direction, the gradients of every input not in `constant`.
func assertFusedMatchesComposed(_ inputs: [Tensor], constant: Set<Int> = [], rtol: Double = 1e-9, atol: Double = 1e-12,
                                _ what: String, file: StaticString = #filePath, line: UInt = #line,
                                fused: ([Tensor]) -> Tensor, composed: ([Tensor]) -> Tensor) {
    func run(_ f: ([Tensor]) -> Tensor) -> (output: Tensor, grads: [Tensor?]) {
        let xs = inputs.enumerated().map { i, t in
            constant.contains(i) ? t.converted(to: .float64) : t.converted(to: .float64).requiringGrad()
        }
        let y = f(xs)
        var rng = SeededRNG(seed: 77)
        y.backward(seed: Tensor.randn(y.shape, dtype: .float64, rng: &rng))
        return (y.detached(), xs.map { $0.grad })
    }
    let a = run(fused), b = run(composed)
    assertClose(a.output, b.output, rtol: rtol, atol: atol, "\(what): forward", file: file, line: line)
    for i in inputs.indices where !constant.contains(i) {
        guard let ga = a.grads[i], let gb = b.grads[i] else {
            XCTFail("\(what): input \(i) has no gradient (fused \(a.grads[i] != nil), composed \(b.grads[i] != nil))", file: file, line: line)
            continue
        }
        assertClose(ga, gb, rtol: rtol, atol: atol, "\(what): d/d(input \(i))", file: file, line: line)
    }
}
