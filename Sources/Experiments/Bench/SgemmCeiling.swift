import TensorCore

/// Measures how fast plain `cblas_sgemm` runs a workload's list of matrix products: the
/// ceiling the same products could reach inside the model (no other ops, warm buffers).
///
/// One pass runs every product once (all batch items and repetitions); `ReferenceBenchmark`
/// interleaves passes with model steps so both see the same machine load.
///
/// ```swift
/// let ceiling = SgemmCeiling(ReferenceShape.spec.trainingProducts)
/// let result = ceiling.measure(mode: .workerSplit, repeats: 5)
/// print(result.gflops)
/// ```
public final class SgemmCeiling {
    /// How the products are spread over threads.
    public enum Mode: String, Sendable, CaseIterable {
        /// As `matmul` runs them: batches over `Parallel.threads` workers and large single
        /// products split into row/column blocks, every BLAS call on one thread.
        case workerSplit = "worker split, 1-thread BLAS"
        /// Each product as one OpenBLAS call threaded by OpenBLAS (`Parallel.threads` threads).
        case blasThreads = "OpenBLAS threads"
    }

    /// Time per product and overall rate.
    public struct Result: Sendable {
        public let mode: Mode
        /// Median seconds per step of each product (all its batch items and repetitions).
        public let seconds: [(product: GemmProduct, seconds: Double)]
        /// Sum of the per-product medians: one step's worth of products.
        public var totalSeconds: Double { seconds.reduce(0) { $0 + $1.seconds } }
        /// FLOPs of one step's products.
        public var flops: Int { seconds.reduce(0) { $0 + $1.product.flops } }
        /// Achieved GFLOP/s over the whole list.
        public var gflops: Double { totalSeconds > 0 ? Double(flops) / totalSeconds * 1e-9 : 0 }
    }

    public let products: [GemmProduct]
    // Operands sized for the largest product, random numbers; C is overwritten by every call.
    private let a: Tensor, b: Tensor, c: Tensor

    public init(_ products: [GemmProduct]) {
        self.products = products
        var sizeA = 1, sizeB = 1, sizeC = 1
        for p in products {
            sizeA = max(sizeA, p.batch * p.m * p.k)
            sizeB = max(sizeB, p.batch * p.k * p.n)
            sizeC = max(sizeC, p.batch * p.m * p.n)
        }
        var rng = SeededRNG(seed: 8)
        a = Tensor.uniform([sizeA], low: -1, high: 1, rng: &rng)
        b = Tensor.uniform([sizeB], low: -1, high: 1, rng: &rng)
        c = Tensor.zeros([sizeC])
    }

    /// Runs every product once; returns the seconds each took.
    public func pass(mode: Mode) -> [Double] {
        var times = [Double](repeating: 0, count: products.count)
        a.withUnsafeBufferPointer(as: Float.self) { pa in
            b.withUnsafeBufferPointer(as: Float.self) { pb in
                c.withUnsafeMutableBufferPointer(as: Float.self) { pc in
                    // OpenBLAS's own threads are on only in `.blasThreads` mode, and only during the pass.
                    BLASRuntime.withBLASThreads(mode == .blasThreads ? Parallel.threads : 1) {
                        for (i, p) in products.enumerated() {
                            times[i] = BenchTiming.time {
                                for _ in 0..<p.count { Self.run(p, mode: mode, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!) }
                            }
                        }
                    }
                }
            }
        }
        return times
    }

    /// The per-product medians of `passes` (each the output of `pass(mode:)`).
    public func result(mode: Mode, passes: [[Double]]) -> Result {
        let medians = products.indices.map { i in BenchTiming.median(passes.map { $0[i] }) }
        return Result(mode: mode, seconds: Array(zip(products, medians)))
    }

    /// One warm-up pass, then `repeats` timed passes.
    public func measure(mode: Mode, repeats: Int = 5) -> Result {
        _ = pass(mode: mode)
        return result(mode: mode, passes: (0..<max(repeats, 1)).map { _ in pass(mode: mode) })
    }

    /// One occurrence of `p` (all batch items) on compact row-major operands.
    private static func run(_ p: GemmProduct, mode: Mode, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                            _ c: UnsafeMutablePointer<Float>) {
        let lda = p.transposeA ? p.m : p.k, ldb = p.transposeB ? p.k : p.n, ldc = p.n
        switch mode {
        case .workerSplit:
            if p.batch == 1 {
                BLASRuntime.parallelSgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                          a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            } else {
                BLASRuntime.batchedSgemm(transposeA: p.transposeA, transposeB: p.transposeB, batch: p.batch,
                                         m: p.m, n: p.n, k: p.k, a: a, lda: lda, strideA: p.m * p.k,
                                         b: b, ldb: ldb, strideB: p.k * p.n, c: c, ldc: ldc, strideC: p.m * p.n)
            }
        case .blasThreads:
            for i in 0..<p.batch {
                BLASRuntime.sgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                  a: a + i * p.m * p.k, lda: lda, b: b + i * p.k * p.n, ldb: ldb,
                                  c: c + i * p.m * p.n, ldc: ldc)
            }
        }
    }
}
