import Foundation
import XCTest
import TensorCore
import TestSupport

final class ReduceTests: XCTestCase {
    /// Shapes for the gradient checks: size-1 and broadcast-like axes included.
    static let shapes: [[Int]] = [[1], [3, 1], [1, 4], [2, 3, 4], [2, 1, 3]]

    static func apply(_ op: String, _ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
        switch op {
        case "sum": return x.sum(axes: axes, keepDims: keepDims)
        case "mean": return x.mean(axes: axes, keepDims: keepDims)
        case "max": return x.max(axes: axes, keepDims: keepDims)
        default: fatalError("unknown reduction \(op)")
        }
    }

    func testForwardMatchesNumpyInBothDTypes() {
        let cases = OpsReference.cases(["sum", "mean", "max"])
        XCTAssertGreaterThan(cases.count, 50)
        for c in cases {
            for (dtype, tol) in [(DType.float64, 1e-12), (.float32, 1e-5)] {
                let y = Self.apply(c.op, c.inputs[0].tensor(dtype), axes: c.args.axes!, keepDims: c.args.keepDims!)
                assertClose(y, c.output.tensor(.float64), rtol: tol, atol: tol, "\(c.name) \(dtype)")
            }
        }
    }

    func testGradientsOverShapeTable() {
        var rng = SeededRNG(seed: 21)
        for shape in Self.shapes {
            let x = Tensor.randn(shape, dtype: .float64, rng: &rng)
            let rank = shape.count
            let axesSets: [[Int]] = [[0], [-1], Array(0..<rank), []] + (rank == 3 ? [[0, 2], [-2]] : [])
            for axes in axesSets {
                for keep in [false, true] {
                    for op in ["sum", "mean", "max"] where !(op == "max" && axes.isEmpty) {
                        checkGradients([x], "\(op) \(shape) axes \(axes) keep \(keep)") {
                            Self.apply(op, $0[0], axes: axes, keepDims: keep)
                        }
                    }
                }
            }
            checkGradients([x], "sum() \(shape)") { $0[0].sum() }
            checkGradients([x], "mean() \(shape)") { $0[0].mean() }
        }
    }

    /// logSumExp: values against a plain Double `log(Σ exp)`, stability at large magnitudes,
    /// −1e9 entries acting as absent, and finite-difference gradients over the shape table.
    func testLogSumExpValuesStabilityAndGradients() {
        let x = Tensor([0.5, -1, 2, 3, 0, -4] as [Double], shape: [2, 3], as: Double.self)
        let expected = [[0.5, -1, 2], [3, 0, -4]].map { row in Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) }
        assertClose(x.logSumExp(axis: 1), Tensor(expected, shape: [2], as: Double.self), rtol: 1e-12, atol: 1e-12)
        let columns = [[0.5, 3], [-1.0, 0], [2.0, -4]].map { c in Foundation.log(c.map { Foundation.exp($0) }.reduce(0, +)) }
        assertClose(x.logSumExp(axis: -2), Tensor(columns, shape: [3], as: Double.self), rtol: 1e-12, atol: 1e-12)
        // exp(1000) overflows; the stable form does not. log(e^1000 + e^999) = 1000 + log(1 + e^-1).
        let big = Tensor([1000, 999, -1e9], shape: [1, 3]).logSumExp(axis: 1)
        XCTAssertEqual(big.item, 1000 + Foundation.log(1 + Foundation.exp(-1)), accuracy: 1e-3)
        var rng = SeededRNG(seed: 23)
        for shape in Self.shapes {
            let t = Tensor.randn(shape, dtype: .float64, rng: &rng)
            for axis in [0, -1] {
                checkGradients([t], "logSumExp \(shape) axis \(axis)") { $0[0].logSumExp(axis: axis) }
            }
        }
    }

    func testScalarReductionsAndShapes() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(x.sum().shape, [])
        XCTAssertEqual(x.sum().item, 21)
        XCTAssertEqual(x.mean().item, 3.5)
        XCTAssertEqual(x.sum(axes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(x.max(axes: [-1], keepDims: true).shape, [2, 1])
        XCTAssertEqual(x.sum(axes: []).scalars, x.scalars)
        XCTAssertEqual(Tensor.scalar(4).sum().item, 4)
        XCTAssertEqual(Tensor.zeros([0, 3]).sum(axes: [0]).scalars, [0, 0, 0])
    }

    func testMaxGradientGoesToTheFirstMaximum() {
        let x = Tensor([1, 3, 3, 2, 2, 0], shape: [2, 3]).requiringGrad()
        x.max(axes: [1]).backward(seed: Tensor([10, 20], shape: [2]))
        XCTAssertEqual(x.grad?.scalars, [0, 10, 0, 20, 0, 0])
        let y = Tensor([3, 1, 3, 2], shape: [2, 2]).requiringGrad()
        y.max(axes: [0]).backward()
        XCTAssertEqual(y.grad?.scalars, [1, 0, 0, 1])
        let z = Tensor([5, 5, 5, 5], shape: [4]).requiringGrad()
        z.max(axes: [0]).backward()
        XCTAssertEqual(z.grad?.scalars, [1, 0, 0, 0])
    }

    /// Naive per-element loops as the oracle for every parallel schedule (rows, columns,
    /// full reduction in blocks, middle axis).
    func testLargeReductionsAgreeWithNaiveLoops() {
        var rng = SeededRNG(seed: 22)
        let (a, b, c) = (5, 600, 60)   // 180 000 elements: above the parallel threshold
        let x = Tensor.randn([a, b, c], rng: &rng)
        let v = x.doubles
        for axes in [[2], [0, 1], [0, 1, 2], [1], [0, 2]] {
            let reduced = Set(axes)
            var sums: [Int: Double] = [:], maxes: [Int: (Double, Int)] = [:]
            for i in 0..<a { for j in 0..<b { for k in 0..<c {
                let key = (reduced.contains(0) ? 0 : i) * b * c + (reduced.contains(1) ? 0 : j) * c + (reduced.contains(2) ? 0 : k)
                let flat = (i * b + j) * c + k
                sums[key, default: 0] += v[flat]
                if let (m, _) = maxes[key], m >= v[flat] {} else { maxes[key] = (v[flat], flat) }
            } } }
            let keys = sums.keys.sorted()
            let n = Double(v.count / keys.count)
            assertClose(x.sum(axes: axes).doubles, keys.map { sums[$0]! }, rtol: 1e-4, atol: 1e-3, "sum \(axes)")
            assertClose(x.mean(axes: axes).doubles, keys.map { sums[$0]! / n }, rtol: 1e-4, atol: 1e-5, "mean \(axes)")
            let leaf = x.requiringGrad()
            let m = leaf.max(axes: axes)
            XCTAssertEqual(m.doubles, keys.map { maxes[$0]!.0 }, "max \(axes)")
            m.backward()
            var expected = [Double](repeating: 0, count: v.count)
            for key in keys { expected[maxes[key]!.1] = 1 }
            XCTAssertEqual(leaf.grad?.doubles, expected, "max \(axes): gradient at the first arg-max")
        }
    }

    func testAxisErrorMessages() {
        XCTAssertEqual(ShapeCheck.reduceAxes("sum", [2, 3], axes: [2]),
                       "sum: axis 2 out of range for shape [2, 3] (rank 2, valid -2..<2)")
        XCTAssertEqual(ShapeCheck.reduceAxes("mean", [2, 3], axes: [1, -1]),
                       "mean: axis -1 repeated in axes [1, -1] for shape [2, 3]")
        XCTAssertEqual(ShapeCheck.maxReduction([2, 0], axes: [1]), "max: cannot reduce over axis 1 of extent 0 in shape [2, 0]")
        XCTAssertNil(ShapeCheck.reduceAxes("sum", [2, 3], axes: [-2, 1]))
    }
}
