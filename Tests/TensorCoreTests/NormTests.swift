import XCTest
import TensorCore
import TestSupport

final class NormTests: XCTestCase {
    /// RMS norm (bias == nil, center == false) or layer norm of rows of d, textbook formulas in Double.
    func naiveNorm(_ x: [Double], d: Int, weight: [Double], bias: [Double]?, eps: Double, center: Bool) -> [Double] {
        var y = x
        for r in 0..<(x.count / d) {
            let row = Array(x[r * d..<(r + 1) * d])
            let mu = center ? row.reduce(0, +) / Double(d) : 0
            let variance = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(d)
            for j in 0..<d { y[r * d + j] = (row[j] - mu) / (variance + eps).squareRoot() * weight[j] + (bias?[j] ?? 0) }
        }
        return y
    }

    /// Shapes with size-1 axes, a single feature and a single row.
    static let shapes: [[Int]] = [[1, 1], [3], [1, 4], [2, 1, 4], [2, 3, 5]]

    func testForwardMatchesNaive() {
        var rng = SeededRNG(seed: 31)
        for shape in Self.shapes {
            let d = shape.last!
            let x = Tensor.randn(shape, std: 2, dtype: .float64, rng: &rng)
            let w = Tensor.randn([d], dtype: .float64, rng: &rng), b = Tensor.randn([d], dtype: .float64, rng: &rng)
            assertClose(x.rmsNorm(weight: w, eps: 1e-6).doubles,
                        naiveNorm(x.doubles, d: d, weight: w.doubles, bias: nil, eps: 1e-6, center: false),
                        rtol: 1e-12, atol: 1e-12, "rmsNorm \(shape)")
            assertClose(x.layerNorm(weight: w, bias: b, eps: 1e-5).doubles,
                        naiveNorm(x.doubles, d: d, weight: w.doubles, bias: b.doubles, eps: 1e-5, center: true),
                        rtol: 1e-12, atol: 1e-12, "layerNorm \(shape)")
            assertClose(x.layerNorm(weight: w, bias: nil).doubles,
                        naiveNorm(x.doubles, d: d, weight: w.doubles, bias: nil, eps: 1e-5, center: true),
                        rtol: 1e-12, atol: 1e-12, "layerNorm without bias \(shape)")
        }
    }

    func testGradientsOfInputWeightAndBias() {
        var rng = SeededRNG(seed: 32)
        for shape in Self.shapes {
            let d = shape.last!
            let x = Tensor.randn(shape, dtype: .float64, rng: &rng)
            let w = Tensor.uniform([d], low: 0.5, high: 1.5, dtype: .float64, rng: &rng)
            let b = Tensor.randn([d], dtype: .float64, rng: &rng)
            checkGradients([x, w], "rmsNorm \(shape)") { $0[0].rmsNorm(weight: $0[1], eps: 1e-3) }
            checkGradients([x, w, b], "layerNorm \(shape)") { $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-3) }
            checkGradients([x, w], "layerNorm without bias \(shape)") { $0[0].layerNorm(weight: $0[1], bias: nil, eps: 1e-3) }
        }
    }

    func testMatchesComposedPrimitives() {
        var rng = SeededRNG(seed: 35)
        for shape in Self.shapes {
            let d = shape.last!
            let x = Tensor.randn(shape, std: 2, dtype: .float64, rng: &rng)
            let w = Tensor.randn([d], dtype: .float64, rng: &rng), b = Tensor.randn([d], dtype: .float64, rng: &rng)
            assertFusedMatchesComposed([x, w], "rmsNorm \(shape)", fused: { $0[0].rmsNorm(weight: $0[1], eps: 1e-6) }) { xs in
                xs[0] / (xs[0].square().mean(axes: [-1], keepDims: true) + 1e-6).sqrt() * xs[1]
            }
            func composedLayerNorm(_ xs: [Tensor]) -> Tensor {
                let centered = xs[0] - xs[0].mean(axes: [-1], keepDims: true)
                let normalized = centered / (centered.square().mean(axes: [-1], keepDims: true) + 1e-5).sqrt() * xs[1]
                return xs.count > 2 ? normalized + xs[2] : normalized
            }
            assertFusedMatchesComposed([x, w, b], "layerNorm \(shape)",
                                       fused: { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }, composed: composedLayerNorm)
            assertFusedMatchesComposed([x, w], "layerNorm without bias \(shape)",
                                       fused: { $0[0].layerNorm(weight: $0[1], bias: nil) }, composed: composedLayerNorm)
        }
    }

    func testWeightGradientSumsOverManyRowChunks() {
        // Enough rows that the backward pass splits them over several partial sums.
        var rng = SeededRNG(seed: 33)
        let x = Tensor.randn([4096, 8], dtype: .float64, rng: &rng)
        let w = Tensor.randn([8], dtype: .float64, rng: &rng).requiringGrad()
        x.rmsNorm(weight: w).sumToShape([]).backward()
        // d(Σ y)/dw_j = Σ_rows x̂_j.
        let xhat = naiveNorm(x.doubles, d: 8, weight: [Double](repeating: 1, count: 8), bias: nil, eps: 1e-6, center: false)
        var expected = [Double](repeating: 0, count: 8)
        for (i, v) in xhat.enumerated() { expected[i % 8] += v }
        assertClose(w.grad!.doubles, expected, rtol: 1e-10, atol: 1e-10, "rmsNorm dw over 4096 rows")
    }

    func testFloat32AgreesWithFloat64() {
        var rng = SeededRNG(seed: 34)
        let x = Tensor.randn([5, 256], dtype: .float64, rng: &rng), w = Tensor.randn([256], dtype: .float64, rng: &rng)
        let x32 = x.converted(to: .float32), w32 = w.converted(to: .float32)
        assertClose(x32.rmsNorm(weight: w32).doubles, x.rmsNorm(weight: w).doubles, rtol: 1e-5, atol: 1e-5, "rmsNorm float32")
        assertClose(x32.layerNorm(weight: w32, bias: w32).doubles, x.layerNorm(weight: w, bias: w).doubles,
                    rtol: 1e-5, atol: 1e-5, "layerNorm float32")
    }

    func testShapeErrors() {
        XCTAssertNil(ShapeCheck.norm("rmsNorm", [2, 3], weight: [3], bias: nil))
        XCTAssertEqual(ShapeCheck.norm("rmsNorm", [2, 3], weight: [4], bias: nil),
                       "rmsNorm: weight [4] does not match input [2, 3] (expected [3])")
        XCTAssertEqual(ShapeCheck.norm("layerNorm", [2, 3], weight: [3], bias: [1, 3]),
                       "layerNorm: bias [1, 3] does not match input [2, 3] (expected [3])")
    }

    func testMatchesPyTorchFixture() throws {
        for c in try FusedFixture.load("norms.json") {
            let x = c.tensor("x").requiringGrad(), w = c.tensor("weight").requiringGrad()
            let b = c.tensors["bias"].map { _ in c.tensor("bias").requiringGrad() }
            let eps = c.params["eps"]!
            let y = c.params["kind"] == 0 ? x.rmsNorm(weight: w, eps: eps) : x.layerNorm(weight: w, bias: b, eps: eps)
            assertClose(y, c.tensor("output"), rtol: 1e-10, atol: 1e-12, "\(c.name) output")
            y.backward(seed: c.tensor("gradOutput"))
            assertClose(x.grad!, c.tensor("dX"), rtol: 1e-10, atol: 1e-12, "\(c.name) dX")
            assertClose(w.grad!, c.tensor("dWeight"), rtol: 1e-10, atol: 1e-12, "\(c.name) dWeight")
            if let b { assertClose(b.grad!, c.tensor("dBias"), rtol: 1e-10, atol: 1e-12, "\(c.name) dBias") }
        }
    }
}
