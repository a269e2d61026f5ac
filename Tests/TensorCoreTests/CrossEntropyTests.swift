import XCTest
import TensorCore
import TestSupport

final class CrossEntropyTests: XCTestCase {
    /// Mean of −log softmax(x)[t] over kept rows, by the textbook formula in Double.
    func naiveCrossEntropy(_ x: [Double], v: Int, targets: [Int32], ignoreIndex: Int32) -> Double {
        var total = 0.0, kept = 0
        for (r, t) in targets.enumerated() where t != ignoreIndex {
            let p = naiveSoftmaxRows(Array(x[r * v..<(r + 1) * v]), n: v)
            total -= Foundation.log(p[Int(t)])
            kept += 1
        }
        return kept == 0 ? 0 : total / Double(kept)
    }

    /// (logits shape, targets, ignoreIndex): size-1 axes, ignored rows, rank 3, a non-default ignoreIndex.
    static let cases: [([Int], [Int32], Int32)] = [
        ([1, 1], [0], -100), ([1, 3], [2], -100), ([4, 5], [1, -100, 4, 0], -100),
        ([2, 3, 4], [3, 0, -100, 1, 2, 2], -100), ([3, 4], [3, 0, 1], 0),
    ]

    func testForwardMatchesNaive() {
        var rng = SeededRNG(seed: 21)
        for (shape, targets, ignore) in Self.cases {
            let x = Tensor.randn(shape, std: 3, dtype: .float64, rng: &rng)
            let loss = x.crossEntropy(targets: targets, ignoreIndex: ignore)
            XCTAssertEqual(loss.shape, [])
            XCTAssertEqual(loss.item, naiveCrossEntropy(x.doubles, v: shape.last!, targets: targets, ignoreIndex: ignore),
                           accuracy: 1e-12, "crossEntropy \(shape) \(targets)")
        }
    }

    func testGradients() {
        var rng = SeededRNG(seed: 22)
        for (shape, targets, ignore) in Self.cases {
            let x = Tensor.randn(shape, std: 2, dtype: .float64, rng: &rng)
            checkGradients([x], "crossEntropy \(shape) \(targets)") { $0[0].crossEntropy(targets: targets, ignoreIndex: ignore) }
        }
    }

    func testMatchesComposedPrimitives() {
        var rng = SeededRNG(seed: 25)
        for (shape, targets, ignore) in Self.cases {
            let v = shape.last!
            // One-hot rows select log p[t]; ignored rows are all zero.
            var oneHot = [Double](repeating: 0, count: targets.count * v)
            for (r, t) in targets.enumerated() where t != ignore { oneHot[r * v + Int(t)] = 1 }
            let kept = Double(targets.filter { $0 != ignore }.count)
            let selector = Tensor(oneHot, shape: [targets.count, v], as: Double.self)
            let x = Tensor.randn(shape, std: 2, dtype: .float64, rng: &rng)
            assertFusedMatchesComposed([x], "crossEntropy \(shape) \(targets)",
                                       fused: { $0[0].crossEntropy(targets: targets, ignoreIndex: ignore) },
                                       composed: { -(composedLogSoftmax($0[0].reshaped([-1, v])) * selector).sum() / kept })
        }
    }

    func testAllRowsIgnoredGivesZeroLossAndZeroGradient() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiringGrad()
        let loss = x.crossEntropy(targets: [-100, -100])
        XCTAssertEqual(loss.item, 0)
        loss.backward()
        XCTAssertEqual(x.grad?.scalars, [0, 0, 0, 0, 0, 0])
    }

    func testGradientOfIgnoredRowIsZeroAndKeptRowsSumToZero() {
        var rng = SeededRNG(seed: 23)
        let x = Tensor.randn([3, 4], dtype: .float64, rng: &rng).requiringGrad()
        x.crossEntropy(targets: [2, -100, 0]).backward()
        let g = x.grad!.doubles
        XCTAssertEqual(Array(g[4..<8]), [0, 0, 0, 0])
        XCTAssertEqual(g[0..<4].reduce(0, +), 0, accuracy: 1e-15)
        XCTAssertLessThan(g[2], 0, "the target's gradient is p − 1 < 0")
    }

    func testFloat32AgreesWithFloat64OnLargeVocabulary() {
        var rng = SeededRNG(seed: 24)
        let x = Tensor.randn([6, 4096], std: 4, dtype: .float64, rng: &rng)
        let targets: [Int32] = [0, 4095, -100, 17, 2048, 5]
        XCTAssertEqual(x.converted(to: .float32).crossEntropy(targets: targets).item, x.crossEntropy(targets: targets).item,
                       accuracy: 1e-4)
    }

    func testErrorsNameTheOffendingTarget() {
        XCTAssertNil(ShapeCheck.crossEntropy(logits: [2, 5], targets: [4, -100], ignoreIndex: -100))
        XCTAssertEqual(ShapeCheck.crossEntropy(logits: [3, 5], targets: [1, 5, 0], ignoreIndex: -100),
                       "crossEntropy: target 5 at row 1 is outside 0..<5 for logits [3, 5] (ignoreIndex -100)")
        XCTAssertEqual(ShapeCheck.crossEntropy(logits: [2, 5], targets: [-1, 0], ignoreIndex: -100),
                       "crossEntropy: target -1 at row 0 is outside 0..<5 for logits [2, 5] (ignoreIndex -100)")
        XCTAssertEqual(ShapeCheck.crossEntropy(logits: [2, 5], targets: [1], ignoreIndex: -100),
                       "crossEntropy: 1 targets for logits [2, 5] (2 rows)")
        XCTAssertEqual(ShapeCheck.crossEntropy(logits: [5], targets: [1], ignoreIndex: -100),
                       "crossEntropy: logits [5] need shape [N, V]")
    }

    func testMatchesPyTorchFixture() throws {
        for c in try FusedFixture.load("cross_entropy.json") {
            let logits = c.tensor("logits")
            let targets = c.tensor("targets").doubles.map { Int32($0) }
            let x = logits.requiringGrad()
            let loss = x.crossEntropy(targets: targets, ignoreIndex: Int32(c.params["ignoreIndex"]!))
            assertClose(loss, c.tensor("loss"), rtol: 1e-12, atol: 1e-12, "\(c.name) loss")
            loss.backward()
            assertClose(x.grad!, c.tensor("dLogits"), rtol: 1e-10, atol: 1e-12, "\(c.name) dLogits")
        }
    }
}
