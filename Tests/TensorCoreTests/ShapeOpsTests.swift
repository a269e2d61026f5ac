import XCTest
import TensorCore
import TestSupport

final class ShapeOpsTests: XCTestCase {
    /// Shapes for the gradient checks: size-1 and broadcast-like axes included.
    static let shapes: [[Int]] = [[1], [3, 1], [1, 4], [2, 3, 4], [2, 1, 3]]

    func testForwardMatchesNumpyInBothDTypes() {
        let cases = OpsReference.cases(["transpose", "permute", "concat", "split", "slice"])
        XCTAssertEqual(cases.count, 18)
        for c in cases {
            for dtype in [DType.float64, .float32] {
                let xs = c.inputs.map { $0.tensor(dtype) }
                let y: Tensor
                switch c.op {
                case "transpose": y = xs[0].transposed(c.args.a!, c.args.b!)
                case "permute": y = xs[0].permuted(c.args.axes!)
                case "concat": y = Tensor.concat(xs, axis: c.args.axis!)
                case "slice": y = xs[0].slice(axis: c.args.axis!, c.args.start!..<c.args.end!)
                case "split":
                    let pieces = xs[0].split(sizes: c.args.sizes!, axis: c.args.axis!)
                    XCTAssertEqual(pieces.count, c.outputs!.count, c.name)
                    for (piece, expected) in zip(pieces, c.outputs!) {
                        assertClose(piece, expected.tensor(dtype), rtol: 0, atol: 0, "\(c.name) \(dtype)")
                    }
                    continue
                default: fatalError("unknown shape op \(c.op)")
                }
                // Pure copies: exact.
                assertClose(y, c.output.tensor(dtype), rtol: 0, atol: 0, "\(c.name) \(dtype)")
            }
        }
    }

    func testGradientsOverShapeTable() {
        var rng = SeededRNG(seed: 31)
        for shape in Self.shapes {
            let rank = shape.count
            let x = Tensor.randn(shape, dtype: .float64, rng: &rng)
            checkGradients([x], "transpose \(shape)") { $0[0].transposed(0, -1) }
            checkGradients([x], "permute reversed \(shape)") { $0[0].permuted(Array((0..<rank).reversed())) }
            for axis in 0..<rank {
                let extent = shape[axis]
                checkGradients([x], "slice \(shape) axis \(axis)") { $0[0].slice(axis: axis, (extent > 1 ? 1 : 0)..<extent) }
                // Pieces rejoined in another order: every element moves.
                let sizes = extent > 1 ? [1, extent - 1] : [0, 1]
                checkGradients([x], "split \(shape) axis \(axis)") {
                    Tensor.concat($0[0].split(sizes: sizes, axis: axis).reversed(), axis: axis)
                }
                var otherShape = shape
                otherShape[axis] = 2
                let other = Tensor.randn(otherShape, dtype: .float64, rng: &rng)
                checkGradients([x, other], "concat \(shape) \(otherShape) axis \(axis)") {
                    Tensor.concat([$0[0], $0[1], $0[0]], axis: axis - rank)
                }
                checkGradients([x, other], constant: [0], "concat constant first \(shape) axis \(axis)") {
                    Tensor.concat([$0[0], $0[1]], axis: axis)
                }
            }
        }
        let y = Tensor.randn([2, 1, 3, 2], dtype: .float64, rng: &rng)
        checkGradients([y], "permute [3, 0, 2, 1]") { $0[0].permuted([3, 0, 2, 1]) }
        checkGradients([y], "permute [0, 2, 1, 3]") { $0[0].permuted([0, 2, 1, 3]) }
    }

    /// Naive index arithmetic as the oracle for copies large enough to run in parallel.
    func testLargeCopiesAgreeWithNaiveIndexing() {
        var rng = SeededRNG(seed: 32)
        let (a, b, c) = (40, 50, 60)  // 120 000 elements
        let x = Tensor.randn([a, b, c], rng: &rng)
        let v = x.scalars
        let p = x.permuted([2, 0, 1]).scalars
        var expected = [Float](repeating: 0, count: v.count)
        for i in 0..<a { for j in 0..<b { for k in 0..<c { expected[(k * a + i) * b + j] = v[(i * b + j) * c + k] } } }
        XCTAssertEqual(p, expected, "permute [2, 0, 1]")
        let t = x.transposed(0, 1).scalars
        for i in 0..<a { for j in 0..<b { for k in 0..<c { expected[(j * a + i) * c + k] = v[(i * b + j) * c + k] } } }
        XCTAssertEqual(t, expected, "transpose 0 1")
        let s = x.slice(axis: 1, 10..<45).scalars
        var sliced: [Float] = []
        for i in 0..<a { for j in 10..<45 { for k in 0..<c { sliced.append(v[(i * b + j) * c + k]) } } }
        XCTAssertEqual(s, sliced, "slice axis 1")
        let joined = Tensor.concat(x.split(sizes: [25, 35], axis: 2).reversed(), axis: 2).scalars
        var rotated: [Float] = []
        for i in 0..<a { for j in 0..<b { for k in 0..<c { rotated.append(v[(i * b + j) * c + (k + 25) % c]) } } }
        XCTAssertEqual(joined, rotated, "split + concat along the last axis")
    }

    func testErrorMessagesNameOpAndShapes() {
        XCTAssertEqual(ShapeCheck.concat([[2, 3, 4], [2, 5, 4], [2, 3, 5]], axis: 1),
                       "concat along axis 1: tensor 2 has shape [2, 3, 5], tensor 0 has [2, 3, 4]; extents differ on axis 2 (5 vs 4) (shapes [[2, 3, 4], [2, 5, 4], [2, 3, 5]])")
        XCTAssertEqual(ShapeCheck.concat([[2, 3], [2, 3, 1]], axis: 0),
                       "concat: tensor 1 has shape [2, 3, 1] of rank 3, tensor 0 has [2, 3] of rank 2 (shapes [[2, 3], [2, 3, 1]])")
        XCTAssertEqual(ShapeCheck.concat([], axis: 0), "concat: no tensors to concatenate")
        XCTAssertEqual(ShapeCheck.concat([[2, 3]], axis: 2), "concat: axis 2 out of range for shape [2, 3] (rank 2, valid -2..<2)")
        XCTAssertNil(ShapeCheck.concat([[2, 3], [2, 1]], axis: -1))
        XCTAssertEqual(ShapeCheck.split([2, 6], sizes: [2, 3], axis: 1),
                       "split: sizes [2, 3] (sum 5) do not partition axis 1 of extent 6 in shape [2, 6]")
        XCTAssertEqual(ShapeCheck.slice([2, 6], axis: -1, range: 4..<7),
                       "slice: range 4..<7 out of bounds for axis -1 of extent 6 in shape [2, 6]")
        XCTAssertEqual(ShapeCheck.permute([2, 3, 4], axes: [0, 2, 2]),
                       "permute: axes [0, 2, 2] are not a permutation of the 3 axes of shape [2, 3, 4]")
        XCTAssertEqual(ShapeCheck.axis("transpose", [2, 3], axis: -3),
                       "transpose: axis -3 out of range for shape [2, 3] (rank 2, valid -2..<2)")
    }
}
