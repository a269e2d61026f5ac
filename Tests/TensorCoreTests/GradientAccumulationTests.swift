import XCTest
import TensorCore
import TestSupport

/// A tensor read by several ops gets the sum of their gradients; `backward()` writes that sum
/// in place only into a gradient nothing else holds.
final class GradientAccumulationTests: XCTestCase {
    /// `loss = Σ r∘((x + x) + 2x + x∘x + x)` (the last through reshapes): five reads of x, two
    /// through an add whose VJP passes the same gradient tensor to both of its inputs.
    func testManyReadsSumTheirGradients() {
        var rng = SeededRNG(seed: 5)
        let x = Tensor.randn([4, 3], dtype: .float64, rng: &rng).requiringGrad()
        let r = Tensor.randn([4, 3], dtype: .float64, rng: &rng)
        let y = (x + x) + x.scaled(by: 2) + x * x + x.reshaped([12]).reshaped([4, 3])
        (y * r).sumToShape([]).backward()
        let xs = x.doubles, rs = r.doubles
        let expected = (0..<12).map { (i: Int) -> Double in rs[i] * (5 + 2 * xs[i]) }
        assertClose(x.grad!.doubles, expected, rtol: 1e-13, atol: 1e-14, "dx")
        checkGradients([x], "four reads of x") { v in
            (v[0] + v[0]) + v[0].scaled(by: 2) + v[0] * v[0] + v[0].reshaped([12]).reshaped([4, 3])
        }
    }

    /// A gradient a caller still holds is not overwritten by the next backward pass's sum.
    func testAHeldGradientIsNotChanged() {
        var rng = SeededRNG(seed: 6)
        let w = Tensor.randn([5], dtype: .float64, rng: &rng).requiringGrad()
        w.scaled(by: 3).sumToShape([]).backward()
        let held = w.grad!
        let before = held.doubles
        w.scaled(by: 2).sumToShape([]).backward()
        XCTAssertEqual(held.doubles, before, "the held gradient")
        assertClose(w.grad!.doubles, [Double](repeating: 5, count: 5), rtol: 0, atol: 1e-15, "accumulated over two passes")
    }
}
