import XCTest
import TensorCore
import TestSupport

final class DropoutTests: XCTestCase {
    func testSameSeedSameMaskDifferentSeedDifferentMask() {
        let x = Tensor.ones([3, 50_000])
        var a = SeededRNG(seed: 7), b = SeededRNG(seed: 7), c = SeededRNG(seed: 8)
        let ya = x.dropout(p: 0.25, rng: &a), yb = x.dropout(p: 0.25, rng: &b), yc = x.dropout(p: 0.25, rng: &c)
        XCTAssertEqual(ya.scalars, yb.scalars)
        XCTAssertNotEqual(ya.scalars, yc.scalars)
        XCTAssertEqual(a, b, "equal seeds leave the generators in equal states")
        // The generator advanced: a second call draws a new mask.
        XCTAssertNotEqual(x.dropout(p: 0.25, rng: &a).scalars, ya.scalars)
    }

    func testKeptValuesAreScaledAndTheRateMatchesP() {
        var rng = SeededRNG(seed: 9)
        let x = Tensor.randn([200_000], dtype: .float64, rng: &rng)
        let p = 0.3
        let y = x.dropout(p: p, rng: &rng).doubles, xs = x.doubles
        var kept = 0
        for i in 0..<xs.count where y[i] != 0 {
            kept += 1
            XCTAssertEqual(y[i], xs[i] / (1 - p), accuracy: 1e-12)
        }
        // Binomial std of the kept fraction is √(p(1−p)/n) ≈ 0.001; allow 5σ.
        XCTAssertEqual(Double(kept) / Double(xs.count), 1 - p, accuracy: 0.005)
    }

    func testMaskDoesNotDependOnThreadCountOrDtype() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        let x = Tensor.ones([100_003])
        Parallel.threads = 1
        var r1 = SeededRNG(seed: 3)
        let one = x.dropout(p: 0.5, rng: &r1).scalars
        Parallel.threads = 4
        var r2 = SeededRNG(seed: 3)
        XCTAssertEqual(x.dropout(p: 0.5, rng: &r2).scalars, one)
        var r3 = SeededRNG(seed: 3)
        XCTAssertEqual(x.converted(to: .float64).dropout(p: 0.5, rng: &r3).scalars, one)
    }

    func testMatchesComposedMaskProduct() {
        // The same seed applied to ones gives the multiplier mask; x ∘ mask is the composed op.
        var rng = SeededRNG(seed: 10)
        for shape in [[1], [4, 1, 3], [3, 70_000]] {
            let x = Tensor.randn(shape, dtype: .float64, rng: &rng)
            assertFusedMatchesComposed([x], rtol: 0, atol: 0, "dropout \(shape)",
                                       fused: { xs in var r = SeededRNG(seed: 12); return xs[0].dropout(p: 0.35, rng: &r) },
                                       composed: { xs in
                                           var r = SeededRNG(seed: 12)
                                           return xs[0] * Tensor.ones(shape, dtype: .float64).dropout(p: 0.35, rng: &r)
                                       })
        }
    }

    func testZeroIsIdentityAndOneDropsEverything() {
        var rng = SeededRNG(seed: 4)
        let x = Tensor.randn([5, 4], rng: &rng)
        let before = rng
        XCTAssertEqual(x.dropout(p: 0, rng: &rng).scalars, x.scalars)
        XCTAssertEqual(rng, before, "p = 0 draws nothing")
        XCTAssertEqual(x.dropout(p: 1, rng: &rng).scalars, [Float](repeating: 0, count: 20))
    }

    func testGradientIsTheMask() {
        var rng = SeededRNG(seed: 5)
        for shape in [[1], [3, 1], [2, 3, 4]] {
            let x = Tensor.randn(shape, dtype: .float64, rng: &rng)
            checkGradients([x], "dropout \(shape)") { xs in
                var r = SeededRNG(seed: 99)  // same mask at every evaluation
                return xs[0].dropout(p: 0.4, rng: &r)
            }
        }
        let x = Tensor.randn([1000], dtype: .float64, rng: &rng).requiringGrad()
        var r = SeededRNG(seed: 6)
        let y = x.dropout(p: 0.5, rng: &r)
        y.sumToShape([]).backward()
        // With p = 0.5, dy/dx is 2 where kept and 0 where dropped, and y = x ∘ dy/dx exactly.
        let g = x.grad!.doubles, xv = x.doubles, yv = y.doubles
        for i in 0..<1000 {
            XCTAssertTrue(g[i] == 0 || g[i] == 2, "gradient \(g[i]) at \(i)")
            XCTAssertEqual(yv[i], xv[i] * g[i])
        }
    }
}
