import XCTest
import TensorCore
import TestSupport

final class MatmulTests: XCTestCase {
    /// Naive triple loop: the oracle for every BLAS path.
    func naive(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            let x = ta ? a[p * m + i] : a[i * k + p]
            let y = tb ? b[j * k + p] : b[p * n + j]
            c[i * n + j] += x * y
        } } }
        return c
    }

    func testMatchesNaiveForEveryTransposeAndLargeParallelSplit() {
        var rng = SeededRNG(seed: 3)
        for (m, n, k) in [(1, 1, 1), (3, 5, 2), (70, 40, 33), (300, 90, 64), (64, 300, 48)] {
            for ta in [false, true] { for tb in [false, true] {
                let a = Tensor.randn(ta ? [k, m] : [m, k], rng: &rng)
                let b = Tensor.randn(tb ? [n, k] : [k, n], rng: &rng)
                let c = a.matmul(b, transposeA: ta, transposeB: tb)
                XCTAssertEqual(c.shape, [m, n])
                assertClose(c.doubles, naive(a.doubles, b.doubles, m: m, n: n, k: k, ta: ta, tb: tb),
                            rtol: 1e-4, atol: 1e-4, "matmul \(m)x\(n)x\(k) ta=\(ta) tb=\(tb)")
            } }
        }
    }

    func testBatchedAndFlattenedRows() {
        var rng = SeededRNG(seed: 4)
        let a = Tensor.randn([2, 3, 4, 5], rng: &rng), b = Tensor.randn([2, 3, 5, 6], rng: &rng)
        let c = a.matmul(b)
        XCTAssertEqual(c.shape, [2, 3, 4, 6])
        let ad = a.doubles, bd = b.doubles, cd = c.doubles
        for i in 0..<6 {
            let ref = naive(Array(ad[i * 20..<(i + 1) * 20]), Array(bd[i * 30..<(i + 1) * 30]), m: 4, n: 6, k: 5, ta: false, tb: false)
            assertClose(Array(cd[i * 24..<(i + 1) * 24]), ref, rtol: 1e-5, atol: 1e-5, "batch \(i)")
        }
        let w = Tensor.randn([7, 5], rng: &rng)
        let y = a.matmul(w, transposeB: true)
        XCTAssertEqual(y.shape, [2, 3, 4, 7])
        assertClose(y.doubles, naive(ad, w.doubles, m: 24, n: 7, k: 5, ta: false, tb: true), rtol: 1e-5, atol: 1e-5, "flattened rows")
    }

    func testGradients() {
        var rng = SeededRNG(seed: 5)
        for ta in [false, true] { for tb in [false, true] {
            let a = Tensor.randn(ta ? [2, 4, 3] : [2, 3, 4], rng: &rng)
            let b = Tensor.randn(tb ? [2, 5, 4] : [2, 4, 5], rng: &rng)
            checkGradients([a, b], "batched ta=\(ta) tb=\(tb)") { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) }
            let w = Tensor.randn(tb ? [5, 4] : [4, 5], rng: &rng)
            let x = Tensor.randn([2, 1, 3, 4], rng: &rng)
            checkGradients([x, w], "flattened tb=\(tb)") { $0[0].matmul($0[1], transposeB: tb) }
        } }
    }

    func testShapeErrorNamesOpAndShapes() {
        XCTAssertEqual(ShapeCheck.matmul([2, 3], [4, 5], transposeA: false, transposeB: false),
                       "matmul: shapes [2, 3] and [4, 5]: inner dimensions 3 and 4 differ")
        XCTAssertNil(ShapeCheck.matmul([2, 3], [5, 3], transposeA: false, transposeB: true))
    }
}
