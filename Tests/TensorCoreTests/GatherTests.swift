import XCTest
import TensorCore
import TestSupport

final class GatherTests: XCTestCase {
    func testForwardAndTableGradientMatchTorchEmbedding() {
        let cases = OpsReference.cases(["gather"])
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            for (dtype, tol) in [(DType.float64, 1e-12), (.float32, 1e-5)] {
                let table = c.inputs[0].tensor(dtype).requiringGrad()
                let out = table.gatherRows(c.args.indices!, shape: c.args.shape!)
                assertClose(out, c.output.tensor(dtype), rtol: 0, atol: 0, "\(c.name) forward \(dtype)")
                (out * c.weight!.tensor(dtype)).sum().backward()
                assertClose(table.grad!, c.tableGrad!.tensor(.float64), rtol: tol, atol: tol, "\(c.name) table gradient \(dtype)")
            }
        }
    }

    func testGradientsWithRepeatsAndPadding() {
        var rng = SeededRNG(seed: 41)
        let table = Tensor.randn([4, 3], dtype: .float64, rng: &rng)
        let lookups: [([Int32], [Int])] = [
            ([2], [1]), ([0, 3, 0], [3, 1]), ([-1, 1, 1, 2], [1, 4]),
            ([3, 3, 3, 0, -1, 2, 1, 1, 0, 2, 3, -1, 0, 0, 1, 2, 3, 3, 2, 1, 0, -1, 2, 3], [2, 3, 4]),
            ([1, -1, 1, 0, 2, 1], [2, 1, 3]),
        ]
        for (indices, shape) in lookups {
            checkGradients([table], "gatherRows \(shape)") { $0[0].gatherRows(indices, shape: shape) }
        }
        let narrow = Tensor.randn([1, 1], dtype: .float64, rng: &rng)
        checkGradients([narrow], "gatherRows [1, 1] table") { $0[0].gatherRows([0, -1, 0], shape: [3]) }
    }

    /// The fused two-table gather equals the sum of two gathers, forward (exactly) and in
    /// both tables' gradients (finite differences), with −1 terms, repeated, injective
    /// and identity first indices.
    func testGatherRowsSumEqualsTwoGathersAndChecksGradients() {
        var rng = SeededRNG(seed: 43)
        let first = Tensor.randn([5, 3], dtype: .float64, rng: &rng)
        let second = Tensor.randn([2, 3], dtype: .float64, rng: &rng)
        let firstIndices: [Int32] = [4, -1, 0, 0, 2, -1], secondIndices: [Int32] = [1, 0, -1, 1, 0, -1]
        let fused = Tensor.gatherRowsSum(first, firstIndices, second, secondIndices, shape: [2, 3])
        let reference = first.gatherRows(firstIndices, shape: [2, 3]) + second.gatherRows(secondIndices, shape: [2, 3])
        XCTAssertEqual(fused.shape, [2, 3, 3])
        XCTAssertEqual(fused.doubles, reference.doubles)
        checkGradients([first, second], "gatherRowsSum") { xs in
            Tensor.gatherRowsSum(xs[0], firstIndices, xs[1], secondIndices, shape: [6])
        }
        // Each row of `first` read at most once (row 1 never): its gradient is a gather.
        let injective: [Int32] = [3, -1, 0, 4, 2, -1]
        checkGradients([first, second], "gatherRowsSum, injective first index") { xs in
            Tensor.gatherRowsSum(xs[0], injective, xs[1], secondIndices, shape: [6])
        }
        let rows = Tensor.randn([6, 3], dtype: .float64, rng: &rng)
        XCTAssertEqual(Tensor.gatherRowsSum(rows, nil, second, secondIndices, shape: [6]).doubles,
                       (rows + second.gatherRows(secondIndices, shape: [6])).doubles)
        checkGradients([rows, second], "gatherRowsSum, identity first index") { xs in
            Tensor.gatherRowsSum(xs[0], nil, xs[1], secondIndices, shape: [6])
        }
    }

    func testPaddingRowsAreZeroAndGetNoGradient() {
        let table = Tensor([1, 2, 3, 4], shape: [2, 2]).requiringGrad()
        let out = table.gatherRows([-1, 1, 1], shape: [3])
        XCTAssertEqual(out.shape, [3, 2])
        XCTAssertEqual(out.scalars, [0, 0, 3, 4, 3, 4])
        out.backward()
        XCTAssertEqual(table.grad?.scalars, [0, 0, 2, 2])
    }

    /// Naive loops as the oracle for a lookup large enough to run in parallel.
    func testLargeLookupAgreesWithNaiveLoops() {
        var rng = SeededRNG(seed: 42)
        let (n, d, m) = (500, 64, 2400)  // 153 600 output elements
        let table = Tensor.randn([n, d], rng: &rng).requiringGrad()
        let indices = (0..<m).map { i in i % 97 == 0 ? Int32(-1) : Int32(rng.nextInt(below: n)) }
        let out = table.gatherRows(indices, shape: [m / 4, 4])
        let t = table.scalars
        var expected = [Float](repeating: 0, count: m * d)
        var grad = [Float](repeating: 0, count: n * d)
        let g = Tensor.randn([m / 4, 4, d], rng: &rng)
        let gv = g.scalars
        for (i, index) in indices.enumerated() where index >= 0 {
            for j in 0..<d {
                expected[i * d + j] = t[Int(index) * d + j]
                grad[Int(index) * d + j] += gv[i * d + j]
            }
        }
        XCTAssertEqual(out.scalars, expected)
        out.backward(seed: g)
        assertClose(table.grad!.doubles, grad.map(Double.init), rtol: 1e-5, atol: 1e-5, "scatter-add")
    }

    func testErrorMessagesNameIndexAndTableSize() {
        XCTAssertEqual(ShapeCheck.gatherRows(table: [5, 3], indices: [0, 4, 7, 1], shape: [4]),
                       "gatherRows: index 7 at position 2 out of range for a table of N = 5 rows (valid 0..<5, or -1 for a zero row)")
        XCTAssertEqual(ShapeCheck.gatherRows(table: [5, 3], indices: [-2], shape: [1]),
                       "gatherRows: index -2 at position 0 out of range for a table of N = 5 rows (valid 0..<5, or -1 for a zero row)")
        XCTAssertEqual(ShapeCheck.gatherRows(table: [5, 3], indices: [0, 1, 2], shape: [2, 2]),
                       "gatherRows: 3 indices do not fill shape [2, 2] (4 elements)")
        XCTAssertEqual(ShapeCheck.gatherRows(table: [5], indices: [0], shape: [1]),
                       "gatherRows: table has shape [5], expected rank 2 [N, D]")
        XCTAssertNil(ShapeCheck.gatherRows(table: [5, 3], indices: [-1, 4], shape: [2]))
    }
}
