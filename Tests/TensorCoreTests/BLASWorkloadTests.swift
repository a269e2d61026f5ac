import XCTest
import TensorCore

/// `GemmProduct`'s VJP shapes and the sgemm kernel check with its naive oracle.
final class BLASWorkloadTests: XCTestCase {
    override func tearDown() {
        OpProfiler.disable()
        OpProfiler.reset()
    }

    func testBackwardProductsFollowMatmulsVJP() {
        // Linear x·Wᵀ: x [N, in], W [out, in] → dx = G·W [N, out]·[out, in]; dW = Gᵀ·x.
        let linear = GemmProduct("linear", m: 100, n: 30, k: 20, transposeB: true)
        XCTAssertEqual(linear.backward(),
                       [GemmProduct("linear dA", m: 100, n: 20, k: 30),
                        GemmProduct("linear dB", m: 30, n: 20, k: 100, transposeA: true)])
        // Plain A·B: dA = G·Bᵀ, dB = Aᵀ·G.
        let plain = GemmProduct("ab", batch: 4, m: 5, n: 6, k: 7, count: 2)
        XCTAssertEqual(plain.backward(),
                       [GemmProduct("ab dA", batch: 4, m: 5, n: 7, k: 6, transposeB: true, count: 2),
                        GemmProduct("ab dB", batch: 4, m: 7, n: 6, k: 5, transposeA: true, count: 2)])
        // Aᵀ·B (A stored [k, m]): dA = B·Gᵀ [k, m].
        let ta = GemmProduct("atb", m: 5, n: 6, k: 7, transposeA: true)
        XCTAssertEqual(ta.backward(needsB: false), [GemmProduct("atb dA", m: 7, n: 5, k: 6, transposeB: true)])
        XCTAssertEqual(plain.backward(needsA: false, needsB: false), [])
        XCTAssertEqual(plain.flops, 2 * 5 * 6 * 7 * 4 * 2)
    }

    func testBackwardShapesAreRealMatmulGradients() {
        // The products `backward()` lists are those `matmul`'s VJP runs: their FLOPs, counted by
        // the profiler while differentiating a real product, agree.
        var rng = SeededRNG(seed: 2)
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let (m, n, k) = (9, 5, 7)
            let a = Tensor.randn(ta ? [k, m] : [m, k], rng: &rng).requiringGrad()
            let b = Tensor.randn(tb ? [n, k] : [k, n], rng: &rng).requiringGrad()
            let y = a.matmul(b, transposeA: ta, transposeB: tb)
            OpProfiler.enable()
            y.backward()
            OpProfiler.disable()
            let expected = GemmProduct("p", m: m, n: n, k: k, transposeA: ta, transposeB: tb).backward().flops
            XCTAssertEqual(OpProfiler.snapshot().gemmFlops, expected, "ta \(ta) tb \(tb)")
        }
    }

    func testKernelCheckPassesAndItsOracleIsRight() {
        // 2×3 · 3×2 by hand: [[1,2,3],[4,5,6]]·[[1,0],[0,1],[1,1]] = [[4,5],[10,11]].
        let p = GemmProduct("hand", m: 2, n: 2, k: 3)
        let (value, absSum) = BLASKernelCheck.naiveProduct(p, [1, 2, 3, 4, 5, 6], [1, 0, 0, 1, 1, 1])
        XCTAssertEqual(value, [4, 5, 10, 11])
        XCTAssertEqual(absSum, [4, 5, 10, 11])
        // Same product with both operands stored transposed.
        let t = GemmProduct("hand T", m: 2, n: 2, k: 3, transposeA: true, transposeB: true)
        XCTAssertEqual(BLASKernelCheck.naiveProduct(t, [1, 4, 2, 5, 3, 6], [1, 0, 1, 0, 1, 1]).value, [4, 5, 10, 11])
        let report = BLASKernelCheck.run()
        XCTAssertTrue(report.passed, report.table)
        XCTAssertEqual(report.kernel, BLASRuntime.kernelName)
    }
}
