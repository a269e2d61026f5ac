import Foundation
import XCTest
import TensorCore
import TestSupport

final class UnaryTests: XCTestCase {
    /// Shapes for the gradient checks: size-1 and broadcast-like axes included.
    static let shapes: [[Int]] = [[1], [3, 1], [1, 4], [2, 3, 4], [2, 1, 3]]

    /// Every unary op by its fixture name.
    static func apply(_ op: String, _ x: Tensor, approximate: Bool = false) -> Tensor {
        switch op {
        case "exp": return x.exp()
        case "log": return x.log()
        case "sqrt": return x.sqrt()
        case "tanh": return x.tanh()
        case "sigmoid": return x.sigmoid()
        case "relu": return x.relu()
        case "gelu": return x.gelu(approximate: approximate)
        case "square": return x.square()
        default: fatalError("unknown unary op \(op)")
        }
    }

    func testForwardMatchesNumpyAndTorchInBothDTypes() {
        let cases = OpsReference.cases(["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "gelu", "square"])
        XCTAssertEqual(cases.count, 9)
        for c in cases {
            for (dtype, tol) in [(DType.float64, 1e-12), (.float32, 2e-6)] {
                let y = Self.apply(c.op, c.inputs[0].tensor(dtype), approximate: c.args.approximate ?? false)
                XCTAssertEqual(y.dtype, dtype)
                assertClose(y, c.output.tensor(.float64), rtol: tol, atol: tol, "\(c.name) \(dtype)")
            }
        }
    }

    func testGradientsOverShapeTable() {
        var rng = SeededRNG(seed: 11)
        for shape in Self.shapes {
            let x = Tensor.randn(shape, std: 1.5, dtype: .float64, rng: &rng)
            let positive = Tensor.uniform(shape, low: 0.2, high: 3, dtype: .float64, rng: &rng)
            for op in ["exp", "tanh", "sigmoid", "relu", "square"] {
                checkGradients([x], "\(op) \(shape)") { Self.apply(op, $0[0]) }
            }
            checkGradients([x], "gelu erf \(shape)") { $0[0].gelu() }
            checkGradients([x], "gelu tanh \(shape)") { $0[0].gelu(approximate: true) }
            checkGradients([positive], "log \(shape)") { $0[0].log() }
            checkGradients([positive], "sqrt \(shape)") { $0[0].sqrt() }
        }
    }

    /// Float GELU uses a vectorisable erf (Abramowitz & Stegun 7.1.26) and exp: over a dense
    /// grid of [−12, 12], value and derivative stay within 4e-7 (absolute, and relative to
    /// |x|) of the Double computation with libm's erf and exp.
    func testFloatGeluMatchesDoubleOnADenseGrid() {
        let xs = stride(from: -12.0, through: 12.0, by: 1.0 / 1024).map { $0 }
        let x32 = Tensor(xs.map { Float($0) }, shape: [xs.count]).requiringGrad()
        let y32 = x32.gelu()
        y32.sumToShape([]).backward()
        let y = y32.doubles, g = x32.grad!.doubles
        for (i, v) in xs.enumerated() {
            let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot())), pdf = Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            XCTAssertEqual(y[i], v * cdf, accuracy: 4e-7 * max(1, abs(v)), "gelu(\(v))")
            XCTAssertEqual(g[i], cdf + v * pdf, accuracy: 4e-7 * max(1, abs(v)), "gelu'(\(v))")
        }
    }

    func testKnownValuesAndReluGradientAtZero() {
        // Φ(1) = 0.841344746068543, GELU(1) = Φ(1); tanh form differs in the 4th digit.
        XCTAssertEqual(Tensor([1], shape: [1]).gelu().item, 0.8413447460685429, accuracy: 1e-6)
        XCTAssertEqual(Tensor([1], shape: [1]).gelu(approximate: true).item, 0.8411919906082768, accuracy: 1e-6)
        XCTAssertEqual(Tensor([-1000, 0, 1000], shape: [3]).sigmoid().scalars, [0, 0.5, 1], "no overflow to NaN")
        let x = Tensor([-1, 0, 2], shape: [3]).requiringGrad()
        x.relu().backward()
        XCTAssertEqual(x.grad?.scalars, [0, 0, 1])
    }

    func testLargeTensorsTakeTheParallelPathAndAgreeElementwise() {
        var rng = SeededRNG(seed: 12)
        let n = 150_000
        let x = Tensor.randn([3, n / 3], rng: &rng).requiringGrad()
        let y = x.tanh()
        let xs = x.scalars
        assertClose(y.doubles, xs.map { Double(Foundation.tanhf($0)) }, rtol: 1e-6, atol: 1e-6, "tanh forward")
        y.backward()
        assertClose(x.grad!.doubles, xs.map { 1 - Double(Foundation.tanhf($0) * Foundation.tanhf($0)) },
                    rtol: 1e-5, atol: 1e-6, "tanh backward")
    }
}
