import XCTest
import TensorCore

/// A frozen parameter is a constant to autodiff: no gradient path is recorded into it.
final class FrozenLeafTests: XCTestCase {
    func testFrozenLeafGetsNoGradientAndUnfreezes() {
        var rng = SeededRNG(seed: 1)
        let a = Tensor.randn([3, 4], dtype: .float64, rng: &rng).requiringGrad()
        let w = Tensor.randn([4, 2], dtype: .float64, rng: &rng).requiringGrad()
        w.setFrozen(true)
        XCTAssertFalse(w.requiresGrad)
        XCTAssertFalse(w.scaled(by: 2).requiresGrad, "an op on frozen inputs only records nothing")
        a.matmul(w).sumToShape([]).backward()
        XCTAssertNotNil(a.grad)
        XCTAssertNil(w.grad, "the frozen leaf collected a gradient")
        // Same gradient for `a` as with `w` a plain constant.
        let expected = Tensor.ones([3, 2], dtype: .float64).matmul(w.detached(), transposeB: true).doubles
        XCTAssertEqual(a.grad!.doubles, expected)

        w.setFrozen(false)
        a.zeroGrad()
        a.matmul(w).sumToShape([]).backward()
        XCTAssertNotNil(w.grad, "unfrozen, the leaf collects gradients again")
    }
}
