/// Checks the loaded OpenBLAS kernel's `sgemm` against a naive triple loop.
///
/// Each product's error is compared with the worst-case round-off bound of a Float32 dot
/// product of length k: `|C - C_ref| ≤ (k + 2)·2⁻²⁴·Σₚ|A_ip·B_pj|`, whatever the
/// summation order or FMA use. A wrong kernel (bad transposition, edge handling, ISA bug)
/// misses it by orders of magnitude.
///
/// ```swift
/// let report = BLASKernelCheck.run()
/// print(report.table)          // one line per shape
/// if !report.passed { exit(1) }
/// ```
public enum BLASKernelCheck {
    /// How a product is run.
    public enum Path: String, Sendable, Codable {
        /// One `cblas_sgemm` call on the calling thread.
        case single
        /// Row/column blocks over `Parallel.threads`, as `matmul` runs large products.
        case workerSplit = "worker_split"
    }

    /// The outcome for one shape.
    public struct Case: Sendable {
        public let product: GemmProduct
        public let path: Path
        /// Largest `|C - C_ref| / bound` over the elements (≤ 1 passes).
        public let worstRatio: Double
        public var passed: Bool { worstRatio <= 1 }
    }

    /// The outcome of a whole check.
    public struct Report: Sendable {
        public let kernel: String
        public let cases: [Case]
        public var passed: Bool { cases.allSatisfy(\.passed) }

        /// One line per case, then a verdict.
        public var table: String {
            var lines = ["sgemm check, kernel \(kernel): error / round-off bound (pass ≤ 1)"]
            for c in cases {
                let shape = "\(c.product.m)×\(c.product.n)×\(c.product.k)"
                let t = (c.product.transposeA ? "T" : "N") + (c.product.transposeB ? "T" : "N")
                lines.append("  \(c.product.name.padding(toLength: 26, withPad: " ", startingAt: 0)) "
                             + "\(shape.padding(toLength: 15, withPad: " ", startingAt: 0)) \(t)  "
                             + "\(c.path.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) "
                             + "\(String(format: "%.2e", c.worstRatio))  \(c.passed ? "ok" : "FAIL")")
            }
            let failed = cases.filter { !$0.passed }.count
            lines.append(failed == 0 ? "kernel check passed: \(cases.count) cases"
                                     : "kernel check FAILED: \(failed) of \(cases.count) cases")
            return lines.joined(separator: "\n")
        }
    }

    /// Shapes covering edge sizes (1, odd, non-multiples of the kernel's blocking), every
    /// transpose combination, and the reference model's product shapes (row counts reduced to keep the naive loop short).
    public static let defaultProducts: [GemmProduct] = {
        var out: [GemmProduct] = []
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            out.append(GemmProduct("edge 1×1×1", m: 1, n: 1, k: 1, transposeA: ta, transposeB: tb))
            out.append(GemmProduct("edge odd", m: 7, n: 13, k: 33, transposeA: ta, transposeB: tb))
            out.append(GemmProduct("edge blocks", m: 129, n: 67, k: 257, transposeA: ta, transposeB: tb))
        }
        out += [
            GemmProduct("row vector", m: 1, n: 300, k: 70),
            GemmProduct("column vector", m: 300, n: 1, k: 70, transposeB: true),
            GemmProduct("projection x·Wᵀ", m: 96, n: 256, k: 256, transposeB: true),
            GemmProduct("ffn x·Wᵀ", m: 40, n: 1024, k: 256, transposeB: true),
            GemmProduct("ffn out x·Wᵀ", m: 40, n: 256, k: 1024, transposeB: true),
            GemmProduct("weight grad Gᵀ·x", m: 256, n: 256, k: 96, transposeA: true),
            GemmProduct("attention scores", m: 160, n: 160, k: 64, transposeB: true),
            GemmProduct("attention context", m: 160, n: 64, k: 160),
            GemmProduct("lm head", m: 16, n: 1024, k: 256, transposeB: true),
        ]
        return out
    }()

    /// Runs every product on both paths with random operands (seeded) and compares.
    public static func run(_ products: [GemmProduct] = defaultProducts, seed: UInt64 = 11) -> Report {
        var rng = SeededRNG(seed: seed)
        var cases: [Case] = []
        for p in products {
            let a = Tensor.uniform([p.m * p.k], low: -1, high: 1, rng: &rng)
            let b = Tensor.uniform([p.k * p.n], low: -1, high: 1, rng: &rng)
            let (reference, bound) = naiveProduct(p, a.scalars, b.scalars)
            for path in [Path.single, .workerSplit] {
                let c = Tensor.full([p.m * p.n], .nan)  // every element must be written
                a.withUnsafeBufferPointer(as: Float.self) { pa in
                    b.withUnsafeBufferPointer(as: Float.self) { pb in
                        c.withUnsafeMutableBufferPointer(as: Float.self) { pc in
                            let lda = p.transposeA ? p.m : p.k, ldb = p.transposeB ? p.k : p.n
                            if path == .single {
                                BLASRuntime.sgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                                  a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                                  c: pc.baseAddress!, ldc: p.n)
                            } else {
                                BLASRuntime.parallelSgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                                          a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                                          c: pc.baseAddress!, ldc: p.n)
                            }
                        }
                    }
                }
                let unit = 0x1p-24 * Double(p.k + 2)
                var worst = 0.0
                for (i, value) in c.scalars.enumerated() {
                    let error = abs(Double(value) - reference[i])
                    let ratio = error.isNaN ? .infinity : error / max(unit * bound[i], .leastNormalMagnitude)
                    worst = max(worst, ratio)
                }
                cases.append(Case(product: p, path: path, worstRatio: worst))
            }
        }
        return Report(kernel: BLASRuntime.kernelName, cases: cases)
    }

    /// `op(A)·op(B)` by the definition, in Double, with `Σₚ|A_ip·B_pj|` per element.
    /// `a`, `b` are row-major as stored (`[m, k]` or `[k, m]`; `[k, n]` or `[n, k]`).
    public static func naiveProduct(_ p: GemmProduct, _ a: [Float], _ b: [Float]) -> (value: [Double], absSum: [Double]) {
        var value = [Double](repeating: 0, count: p.m * p.n)
        var absSum = [Double](repeating: 0, count: p.m * p.n)
        for i in 0..<p.m {
            for j in 0..<p.n {
                var s = 0.0, s1 = 0.0
                for q in 0..<p.k {
                    let x = Double(p.transposeA ? a[q * p.m + i] : a[i * p.k + q])
                    let y = Double(p.transposeB ? b[j * p.k + q] : b[q * p.n + j])
                    s += x * y
                    s1 += abs(x * y)
                }
                value[i * p.n + j] = s
                absSum[i * p.n + j] = s1
            }
        }
        return (value, absSum)
    }
}
