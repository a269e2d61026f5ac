import XCTest
import TensorCore
import TestSupport

final class BroadcastTests: XCTestCase {
    /// Shape pairs with size-1 and broadcast axes on either side.
    static let shapePairs: [([Int], [Int])] = [
        ([3], [3]), ([2, 3], [3]), ([2, 3], [1, 3]), ([2, 1], [1, 3]), ([4, 1, 3], [2, 1]),
        ([1], [2, 3]), ([], [2, 2]), ([2, 3, 4], [2, 3, 4]), ([1, 1], [1, 1]), ([2, 1, 3], [2, 4, 1]),
    ]

    func testForwardMatchesExplicitIndexing() {
        var rng = SeededRNG(seed: 1)
        let a = Tensor.randn([2, 1, 3], rng: &rng), b = Tensor.randn([4, 1], rng: &rng)
        let c = a * b
        XCTAssertEqual(c.shape, [2, 4, 3])
        let ad = a.doubles, bd = b.doubles, cd = c.doubles
        for i in 0..<2 { for j in 0..<4 { for k in 0..<3 {
            XCTAssertEqual(cd[(i * 4 + j) * 3 + k], ad[i * 3 + k] * bd[j], accuracy: 1e-6)
        } } }
    }

    func testGradientsOfEveryBinaryOp() {
        var rng = SeededRNG(seed: 2)
        for (sa, sb) in Self.shapePairs {
            let a = Tensor.randn(sa, rng: &rng)
            let b = Tensor.uniform(sb, low: 0.5, high: 2, rng: &rng)  // away from 0 for div
            checkGradients([a, b], "add \(sa) \(sb)") { $0[0] + $0[1] }
            checkGradients([a, b], "sub \(sa) \(sb)") { $0[0] - $0[1] }
            checkGradients([a, b], "mul \(sa) \(sb)") { $0[0] * $0[1] }
            checkGradients([a, b], "div \(sa) \(sb)") { $0[0] / $0[1] }
        }
    }

    func testScalarOpsAndTensorUsedTwice() {
        var rng = SeededRNG(seed: 3)
        let a = Tensor.randn([3, 2], rng: &rng)
        checkGradients([a], "affine") { ($0[0] * 3 + 1) / 2 - 0.5 }
        checkGradients([a], "x*x + x") { $0[0] * $0[0] + $0[0] }
        let x = Tensor([1, 2, 3], shape: [3]).requiringGrad()
        (x * x).sumToShape([]).backward()
        XCTAssertEqual(x.grad?.scalars, [2, 4, 6])
    }

    func testSumToShapeAndBroadcastErrors() {
        var rng = SeededRNG(seed: 4)
        let a = Tensor.randn([2, 3, 4], rng: &rng)
        checkGradients([a], "sumToShape [3,1]") { $0[0].sumToShape([3, 1]) }
        checkGradients([a], "sumToShape []") { $0[0].sumToShape([]) }
        guard case .failure(let e) = ShapeCheck.broadcast("add", [2, 3], [4]) else { return XCTFail("expected failure") }
        XCTAssertEqual(e.description, "add: shapes [2, 3] and [4] cannot be broadcast (axis 1: 3 vs 4)")
    }
}
