import NeuralNet
import TensorCore
import TestSupport
import XCTest

final class GradientClippingTests: XCTestCase {
    func testClipsToMaxNormAndReturnsPreClipNorm() {
        let a = Tensor([1, 2], shape: [2]).requiringGrad()
        let b = Tensor([3], shape: [1, 1]).requiringGrad()
        let unused = Tensor([5], shape: [1]).requiringGrad()
        // loss = 3·a₀ + 4·a₁ + 12·b: gradients (3, 4) and (12), norm 13.
        ((a * Tensor([3, 4], shape: [2])).sumToShape([]) + (b * 12).sumToShape([])).backward()
        let norm = clipGradientNorm([a, b, unused], maxNorm: 6.5)
        XCTAssertEqual(norm, 13, accuracy: 1e-6)
        let f = 6.5 / (13 + 1e-6)
        assertClose(a.grad!.doubles, [3 * f, 4 * f], rtol: 1e-6, atol: 0, "a")
        assertClose(b.grad!.doubles, [12 * f], rtol: 1e-6, atol: 0, "b")
        XCTAssertNil(unused.grad)
    }

    /// The norm of a Float gradient whose length is not a multiple of the vector width equals
    /// a Double loop over it.
    func testNormOfALongFloatGradient() {
        let n = 1_003
        let g = (0..<n).map { Float(($0 * 7919) % 1000) / 500 - 1 }
        let a = Tensor([Float](repeating: 0, count: n), shape: [n]).requiringGrad()
        (a * Tensor(g, shape: [n])).sumToShape([]).backward()
        let expected = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertEqual(clipGradientNorm([a], maxNorm: .infinity), expected, accuracy: expected * 1e-14)
    }

    func testBelowMaxNormLeavesGradientsUntouched() {
        let a = Tensor([1, 2], shape: [2]).requiringGrad()
        (a * Tensor([0.3, 0.4], shape: [2])).sumToShape([]).backward()
        XCTAssertEqual(clipGradientNorm([a], maxNorm: 1), 0.5, accuracy: 1e-7)
        XCTAssertEqual(a.grad!.scalars, [0.3, 0.4])
    }

    /// The VJP of `a + b` hands both leaves the same gradient buffer; clipping must scale
    /// that memory once, not once per parameter.
    func testSharedGradientBuffersAreScaledOnce() {
        let a = Tensor([1, 1], shape: [2]).requiringGrad()
        let b = Tensor([2, 2], shape: [2]).requiringGrad()
        (a + b).backward(seed: Tensor([3, 4], shape: [2]))
        XCTAssertEqual(a.grad!.scalars, [3, 4])
        XCTAssertEqual(b.grad!.scalars, [3, 4])
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        XCTAssertEqual(norm, (50.0).squareRoot(), accuracy: 1e-5)
        let f = 1 / ((50.0).squareRoot() + 1e-6)
        assertClose(a.grad!.doubles, [3 * f, 4 * f], rtol: 1e-6, atol: 0, "a")
        assertClose(b.grad!.doubles, [3 * f, 4 * f], rtol: 1e-6, atol: 0, "b")
    }
}
